#pragma once
// A target's checkpoint bookkeeping in a push with a state folder (USER_GUIDE.md,
// "Checkpoints"): where each open split starts and ends in the source, where to read again once a
// split is published (its last record's successor, or the first record of a split still open,
// whichever comes first), which records a restart skips because they were published before it,
// and saving the checkpoint durably in the order splits are published: from the closer thread
// just before a split's rename, or, for streamed uploads that may finish out of order, once every
// split before it is uploaded.
//
// Once a save fails, every later save fails too: the checkpoint never moves past a split that
// was not published, so a restart publishes it again.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/source.h"
#include "push/checkpoint.h"
#include "push/target_log.h"
#include "push/target_stats.h"

namespace pushcap::push {

/// Where a record is in the source: input, offset of its data, offset of its record header (0
/// when it has no classic pcap header to seek to).
struct SourcePos {
  std::uint32_t input = 0;
  std::uint64_t data = 0;
  std::uint64_t start = 0;
  [[nodiscard]] bool before(const SourcePos& o) const { return input != o.input ? input < o.input : data < o.data; }
  /// The position of record `r` of `batch`.
  static SourcePos of(const capture::Batch& batch, const capture::Record& r);
};

class TargetCheckpoints {
 public:
  /// `desc` names the target in the checkpoints it saves.
  explicit TargetCheckpoints(std::string desc) : desc_(std::move(desc)) {}

  /// Saves a checkpoint with every split published from now on; `source` names the inputs;
  /// with `last`, records published before it are skipped. Before the target's thread starts.
  void use(CheckpointFile file, const capture::Source* source, const std::optional<Checkpoint>& last,
           TargetCounters* counters);
  /// Closes the file and its lock (a retired target); later saves fail.
  void release();
  /// True while checkpoints are kept.
  [[nodiscard]] bool active() const { return source_ != nullptr; }
  /// A split was not published: the checkpoint stays where it is from now on (every later save
  /// fails with `why`), so the next run writes that split again. Any thread.
  void hold(const std::string& why);

  /// Target thread, at each batch: the index of the first record not published before a restart
  /// (records before it are counted as skipped); saves the first checkpoint at the target's first
  /// record when it has none. An error when that save fails.
  Result<std::size_t> first_to_process(const capture::Batch& batch, const TargetLog& log);

  /// Where to read again once the split ending at `last` is published, given the first records
  /// of the splits still open.
  [[nodiscard]] ResumePoint resume_after(const SourcePos& last, const std::vector<SourcePos>& open_firsts) const;

  /// Closer thread, after the split's fsync and before its rename: saves `resume` with the
  /// split's pending and final paths, so a crash between the two completes the rename.
  Result<void> save_publishing(const ResumePoint& resume, const std::string& pending_path);

  /// A streamed split handed to the uploader, in the order splits are made.
  void stream_handed(const std::string& remote_base, const ResumePoint& resume);
  /// Uploader thread: the streamed split is under its final name; the checkpoint moves past
  /// it once every split before it is uploaded too.
  Result<void> stream_uploaded(const std::string& remote_base);

 private:
  Result<void> save(Checkpoint cp, bool published_split);  // with mutex_ held

  std::string desc_;
  const capture::Source* source_ = nullptr;
  TargetCounters* counters_ = nullptr;
  // Target thread only.
  std::optional<ResumePoint> resume_;
  bool started_ = false;  // a checkpoint exists (loaded, or saved at the first record)

  std::mutex mutex_;  // guards what follows: saves come from the target, closer and uploader threads
  std::optional<CheckpointFile> file_;
  std::uint64_t splits_ = 0;
  std::optional<std::string> broken_;  // why a save failed; later saves fail with it
  struct Streamed {
    std::string remote_base;
    ResumePoint resume;
    bool done = false;
  };
  std::deque<Streamed> streamed_;  // streamed splits in order, until uploaded
};

}  // namespace pushcap::push
