#pragma once
// Counters of one target, and the named reasons a packet can be left unwritten: nothing is
// lost without being counted under one of them and said in the log.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "decap/layer.h"

namespace pushcap::push {

/// Why a packet the target saw was not written (filtered-out packets are counted apart).
enum class DropReason : std::uint8_t {
  kTsUnrepresentable,  ///< timestamp past 2106 or beyond 64-bit ns: classic pcap cannot hold it
  kFilterLinktype,     ///< FilterBPF does not compile for the packet's link type
  kWriteFailed,        ///< the split holding it could not be written or made durable
  kInterrupted,        ///< a second signal asked to stop before it was written
  kPipeFailed,         ///< its split's PipeCmd failed: the split was kept raw, not published
  kUploadFailed,       ///< its streamed split (Upload = "stream") could not be completed
  kCount
};

/// A machine-friendly name for a reason ("ts_unrepresentable", ...).
const char* drop_reason_name(DropReason reason);
/// A sentence for summaries.
const char* drop_reason_text(DropReason reason);

/// Non-zero decap counters as (name, count): layers removed ("vlan", ...) and where decoding
/// stopped ("gre_unsupported", ...), for status JSON and summaries.
std::vector<std::pair<std::string, std::uint64_t>> decap_removed(const decap::DecapCounters& c);
std::vector<std::pair<std::string, std::uint64_t>> decap_problems(const decap::DecapCounters& c);

/// A consistent-enough snapshot of a target's counters.
struct TargetStats {
  std::uint64_t seen = 0;             ///< packets offered to the target
  std::uint64_t filtered = 0;         ///< rejected by the target's filter
  std::uint64_t accepted = 0;         ///< written into a split (published or not yet)
  std::uint64_t accepted_bytes = 0;   ///< record headers + captured bytes of those
  std::uint64_t published = 0;        ///< packets in published (final, durable) splits
  std::uint64_t published_bytes = 0;  ///< file bytes of published splits
  std::uint64_t splits = 0;           ///< splits published
  std::uint64_t splits_failed = 0;    ///< splits that could not be completed
  std::uint64_t last_ts = 0;          ///< timestamp of the last packet accepted
  std::uint64_t progress_ts = 0;      ///< packet time processed so far (last packet seen or watermark)
  std::uint64_t resume_skipped = 0;   ///< packets skipped on a restart: published before it
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> dropped{};
  bool decap_active = false;          ///< the target decapsulates, strips a trailer or reads frame tags
  decap::DecapCounters decap;         ///< what decap removed and where it stopped
  std::uint64_t pipe_failures = 0;    ///< splits whose PipeCmd failed
  std::uint64_t script_failures = 0;  ///< close or Post scripts that failed
  std::uint64_t scripts = 0;          ///< close or Post scripts run
  bool rclone = false;                ///< Mode = "RCLONE"
  std::uint64_t uploads = 0;          ///< splits under their final remote name
  std::uint64_t upload_retries = 0;   ///< failed upload attempts (each retried)
  std::uint64_t upload_pending = 0;   ///< splits waiting for upload or in progress
  std::uint64_t spool_bytes = 0;      ///< bytes in the spool
  std::uint64_t spool_waits = 0;      ///< times the target waited for room in a full spool
  std::string upload_error;           ///< the last failed attempt's error ("" after a success)
  bool failed = false;                ///< the target stopped on an I/O error
  std::string failure;                ///< that error
};

/// What the target thread counted in one batch, added to the shared counters at once (no
/// atomic operation per packet).
struct BatchTally {
  std::uint64_t seen = 0;
  std::uint64_t filtered = 0;
  std::uint64_t accepted = 0;
  std::uint64_t accepted_bytes = 0;
  std::uint64_t last_ts = 0;  ///< of the last packet accepted
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> dropped{};
  void drop(DropReason r) { ++dropped[static_cast<std::size_t>(r)]; }
};

/// The live counters of one target. Written by its threads (the target's, the closer, the
/// uploaders, the script workers), read by anyone through fill().
class TargetCounters {
 public:
  /// A batch's tally (target thread).
  void add(const BatchTally& tally);
  /// `packets` not written, for `reason`.
  void drop(DropReason reason, std::uint64_t packets);
  /// A split that was not published: its packets are counted under `reason`.
  void lost_split(std::uint64_t packets, DropReason reason);
  /// A split under its final name.
  void published_split(std::uint64_t packets, std::uint64_t file_bytes);
  /// Packet time processed so far (a record or a watermark); only ever raised.
  void progress(std::uint64_t ts);
  /// Records a restart skipped because they were published before it.
  void resume_skipped(std::uint64_t records);
  [[nodiscard]] std::uint64_t resume_skipped() const { return resume_skipped_.load(std::memory_order_relaxed); }
  void pipe_failed() { pipe_failures_.fetch_add(1, std::memory_order_relaxed); }
  void scripts_done(std::uint64_t runs, std::uint64_t failures);
  void uploaded() { uploads_.fetch_add(1, std::memory_order_relaxed); }
  void upload_retried() { upload_retries_.fetch_add(1, std::memory_order_relaxed); }
  void spool_waited() { spool_waits_.fetch_add(1, std::memory_order_relaxed); }
  /// The decap pipeline's counters as of the last batch.
  void set_decap(const decap::DecapCounters& counters, bool active);

  /// Records that the target failed (the first message is kept); any thread. The target thread
  /// stops taking packets at its next batch.
  void fail(const std::string& message);
  /// True once fail() was called.
  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_acquire); }

  /// Fills every counter field of `stats`.
  void fill(TargetStats& stats) const;

 private:
  std::atomic<std::uint64_t> seen_{0}, filtered_{0}, accepted_{0}, accepted_bytes_{0};
  std::atomic<std::uint64_t> published_{0}, published_bytes_{0}, splits_{0}, splits_failed_{0}, last_ts_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(DropReason::kCount)> dropped_{};
  std::atomic<std::uint64_t> progress_ts_{0};
  std::atomic<std::uint64_t> resume_skipped_{0};
  std::atomic<std::uint64_t> pipe_failures_{0}, script_failures_{0}, scripts_run_{0}, uploads_{0}, upload_retries_{0};
  std::atomic<std::uint64_t> spool_waits_{0};
  std::atomic<bool> failed_{false};
  mutable std::mutex mutex_;  // guards the two below
  decap::DecapCounters decap_;
  bool decap_active_ = false;
  std::string failure_;
};

}  // namespace pushcap::push
