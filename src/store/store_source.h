#pragma once
// Follows a capture store as it is written (realtime push), or reads a part of it again
// (--offline STREAM, --from/--to). Reads each segment as far as the stream's watermark says it
// is whole, delivers the watermark so time splits close on time, moves from segment to segment
// and from stream to stream of the same capture. A segment deleted by retention before it was
// read is skipped, said and counted by time range, never silently.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "capture/batch.h"
#include "capture/source.h"
#include "core/fd.h"
#include "store/store_layout.h"
#include "store/watermark_file.h"

namespace pushcap::store {

/// A place in the store: a record of a segment of a stream.
struct StorePosition {
  std::string stream;
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;  ///< file offset of a record's first header byte (24 = the first)
};

/// Where a StoreSource starts and stops.
struct StoreSourceOptions {
  enum class Start {
    kNow,          ///< realtime: from what is captured next
    kStreamStart,  ///< realtime: from the start of the newest stream (Config.FollowStart)
    kPosition,     ///< realtime: from a checkpoint
    kOffline,      ///< one stream, start to end (or to where its capture is when reached)
    kRange,        ///< packets with from_ns <= ts < to_ns, then stop
  };
  std::string store_dir;
  std::string capture;  ///< capture name; "" = the one of the newest stream
  Start start = Start::kNow;
  std::string offline_stream;
  std::uint64_t from_ns = 0;
  std::uint64_t to_ns = ~std::uint64_t{0};
  StorePosition position;
  int poll_ms = 20;
};

/// Reading progress counters (any thread).
struct StoreSourceStats {
  std::uint64_t skipped_segments = 0;  ///< deleted by retention before they were read
  std::uint64_t skipped_ns = 0;        ///< packet time they covered
  std::uint64_t delivered_ts = 0;      ///< watermark delivered so far
  std::uint64_t store_ts = 0;          ///< newest watermark of the stream being read
  std::string stream;                  ///< stream being read
};

/// The store as a source.
class StoreSource : public capture::Source {
 public:
  StoreSource(StoreSourceOptions options, capture::BatchPool& pool) : options_(std::move(options)), pool_(pool) {}

  capture::SourceOutcome run(const capture::SourceEvents& events) override;
  [[nodiscard]] std::uint64_t bytes_read() const override { return bytes_read_.load(std::memory_order_relaxed); }
  /// "STREAM/seg_N.pcap".
  [[nodiscard]] std::string input_name(std::uint32_t index) const override;
  [[nodiscard]] bool input_before(const std::string& a, const std::string& b) const override;
  bool resume_at(const std::string& input, std::uint64_t seek) override;
  [[nodiscard]] double lag_seconds() const override;
  /// The stream and segment of input `index`.
  [[nodiscard]] StorePosition position_of(std::uint32_t index, std::uint64_t offset) const;
  [[nodiscard]] StoreSourceStats stats() const;

 private:
  struct Walk;  // the state of one run(): store_walk.cc
  std::optional<Fd> open_segment(const Walk& walk, std::string& path);
  bool on_missing_segment(Walk& walk);
  bool skip_deleted(Walk& walk, const std::optional<SegmentEntry>& later);
  bool to_next_stream(Walk& walk);
  void read_segment(Walk& walk, Fd fd, const std::string& path);
  void deliver(Walk& walk, std::shared_ptr<capture::Batch> batch);
  void post(Walk& walk, std::uint64_t ts);
  bool choose_start(const capture::SourceEvents& events, capture::SourceOutcome& outcome, StorePosition& at);
  std::uint32_t add_input(const std::string& stream, std::uint64_t seq);
  bool sleep_poll();
  void warn_retention(const capture::SourceEvents& events, const std::string& stream, std::uint64_t seq,
                      std::uint64_t seg_last_ts);

  StoreSourceOptions options_;
  capture::BatchPool& pool_;
  capture::FormatRegistry registry_;
  std::atomic<std::uint64_t> bytes_read_{0};
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, std::uint64_t>> inputs_;  // (stream, segment) per input index
  StoreSourceStats stats_;
  std::uint64_t warned_segment_ = 0;
  std::uint64_t checked_segment_ = 0;
  std::int64_t last_retention_check_ = 0;
};

}  // namespace pushcap::store
