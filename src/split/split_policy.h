#pragma once
// Where splits end (USER_GUIDE.md, Splits): time periods on whole multiples of the period
// on the UTC epoch with start <= ts < end, byte limits that count the file and record headers,
// packet counts. Pure decisions, no I/O; the target acts on them.

#include <cstdint>

#include "split/file_namer.h"
#include "split/split_spec.h"

namespace pushcap::split {

/// One target's split decisions. Inline: it runs once per packet.
class SplitPolicy {
 public:
  /// Where a packet's timestamp falls relative to the open period.
  enum class TimeStep : std::uint8_t {
    kSame,        ///< in the open period (or not splitting by time)
    kFirst,       ///< no period is open yet
    kNextPeriod,  ///< at or after the open period's end: close it, open the packet's
    kJumpedBack,  ///< more than a period before the open one's start: close it (and say so)
  };

  explicit SplitPolicy(const SplitSpec& spec)
      : period_(spec.time_ns), byte_limit_(spec.bytes), packet_limit_(spec.packets) {}

  /// Classifies `ts`. A timestamp that goes back by at most one period stays in the open split.
  [[nodiscard]] TimeStep classify(std::uint64_t ts) const {
    if (period_ == 0) return TimeStep::kSame;
    if (!open_) return TimeStep::kFirst;
    if (ts < end_ && ts + period_ >= start_) return TimeStep::kSame;
    return ts < start_ ? TimeStep::kJumpedBack : TimeStep::kNextPeriod;
  }
  /// Opens the period holding `ts`.
  void open_period(std::uint64_t ts) {
    start_ = ts - ts % period_;
    end_ = start_ + period_;
    open_ = true;
  }
  /// Forgets the open period (its splits were published on a watermark).
  void close_period() { open_ = false; }
  /// True when a watermark at `ts` means no packet of the open period can still come.
  [[nodiscard]] bool watermark_closes(std::uint64_t ts) const { return open_ && ts >= end_; }

  /// True when a file of `file_bytes` (headers included) and `packets` packets must be closed
  /// before a record of `record_bytes` (16-byte header included) joins it. An empty file takes
  /// any record, so a packet larger than the byte limit gets a file of its own.
  [[nodiscard]] bool file_full(std::uint64_t file_bytes, std::uint64_t packets, std::uint64_t record_bytes) const {
    if (packets == 0) return false;
    return (byte_limit_ != 0 && file_bytes + record_bytes > byte_limit_) ||
           (packet_limit_ != 0 && packets >= packet_limit_);
  }

  /// The times a split is named after: the period in time mode, else its first and last packet.
  [[nodiscard]] SplitTimes times(std::uint64_t first_ts, std::uint64_t last_ts) const {
    return period_ != 0 ? SplitTimes{start_, end_} : SplitTimes{first_ts, last_ts};
  }
  /// The open period's start (time mode).
  [[nodiscard]] std::uint64_t start() const { return start_; }

 private:
  std::uint64_t period_;
  std::uint64_t byte_limit_;
  std::uint64_t packet_limit_;
  bool open_ = false;
  std::uint64_t start_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace pushcap::split
