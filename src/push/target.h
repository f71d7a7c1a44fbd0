#pragma once
// One push target: its own thread, fed the shared, read-only batches of the reader (DESIGN.md,
// Architecture). A packet's way, top to bottom in target.cc:
//
//   Target::process   for each record of a batch:
//     PacketPath        decap, FilterFrame, output format, BPF: write, filtered, or dropped
//     SplitPolicy       does it start the next time period (close the open splits)?
//     OpenSplit         is the split full? write the record
//   Target::close_split   a finished split is handed to
//     SplitDelivery     local rename, spool and upload, or streamed upload; checkpoint; scripts
//
// Counters live in TargetCounters, checkpoint bookkeeping in TargetCheckpoints.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/source.h"
#include "config/push_config.h"
#include "core/work_queue.h"
#include "hooks/script_pool.h"
#include "push/checkpoint.h"
#include "push/closer.h"
#include "push/open_split.h"
#include "push/packet_path.h"
#include "push/split_delivery.h"
#include "push/target_checkpoints.h"
#include "push/target_log.h"
#include "push/target_stats.h"
#include "split/split_policy.h"

namespace pushcap::push {

/// A push target. post()/post_watermark()/post_end() are called by the reader thread; run() is
/// the target's thread; stats() and hurry() may be called from anywhere.
class Target {
 public:
  Target(config::TargetConfig config, Closer& closer, hooks::ScriptPool& scripts, TargetLogs logs);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  /// Opens what the target needs before any packet: an RCLONE target's spool (taking up the
  /// splits a previous run left in it) and its uploader.
  Result<void> start() { return delivery_->start(); }
  /// Saves a checkpoint with every split it publishes; `source` names the inputs; with `last`,
  /// records published before it are skipped. Before start().
  void use_checkpoints(CheckpointFile file, const capture::Source* source, const std::optional<Checkpoint>& last) {
    checkpoints_.use(std::move(file), source, last, &counters_);
  }
  /// Closes the checkpoint file and its lock (a retired target; a changed one restarts on it).
  void release_checkpoint() { checkpoints_.release(); }
  /// Removes the .pending files of this target's local outputs that a run which died left
  /// behind (no live process holds them: sink/pending_file.h); returns their names.
  std::vector<std::string> remove_stale_pending() { return delivery_->remove_stale_pending(); }
  /// After run(): waits until every split is uploaded (retrying for ever), or until
  /// `give_up()`; what is left stays in the spool for the next run.
  void finish_uploads(const std::function<bool()>& give_up) { delivery_->finish(give_up); }

  /// Queues a batch for this target.
  void post(capture::BatchPtr batch);
  /// Queues a watermark: every packet with a timestamp below `ts` has been posted. Time splits
  /// that end at or before it are published without waiting for a later packet.
  void post_watermark(std::uint64_t ts);
  /// Says no more batches follow.
  void post_end() { queue_.close(); }
  /// Processes batches until post_end(), then finalises every open split.
  void run();
  /// Stop processing queued batches (a second signal): they are counted as interrupted.
  void hurry() { hurry_.store(true, std::memory_order_relaxed); }

  /// The counters now.
  [[nodiscard]] TargetStats stats() const;
  /// The target's config.
  [[nodiscard]] const config::TargetConfig& config() const { return config_; }
  /// The target's own log, if any.
  [[nodiscard]] LogFile* log() const { return log_.file(); }

 private:
  /// The files of one output format (a second link type or resolution gets files of its own).
  struct Stream {
    capture::LinkFormat format;  // linktype + resolution + snaplen of the stream's files
    std::string tag;             // "" for the first format, "_dlt<N>_<res>" for others
    OpenSplit open;
  };
  /// One queue entry: a batch, or (batch == nullptr) a watermark.
  struct Item {
    capture::BatchPtr batch;
    std::uint64_t watermark = 0;
  };

  void process(const capture::Batch& batch);
  // The split policy's view of a packet's time: opens the first period, or closes the open
  // splits when it starts the next one (or jumped back by more than a period).
  void advance_period(std::uint64_t ts);
  // Writes one record into its stream's split, opening one when needed; false when it was not
  // written (counted in `tally`).
  bool write(Stream& stream, const capture::Batch& batch, const capture::Record& r, const PathFrame& frame,
             BatchTally& tally);
  void end_batch(const capture::Batch& batch, const BatchTally& tally);
  void on_watermark(std::uint64_t ts);
  Stream& stream_for(OutputFormat& out);
  bool open_split(Stream& stream, std::uint64_t ts);
  void close_split(Stream& stream, std::uint64_t closing_ts);
  void close_all(std::uint64_t closing_ts);
  // With no later packet, a split's closing packet is its own last one.
  void publish_open_splits();
  // The first records of the splits open besides `closing` (checkpoints).
  std::vector<SourcePos> open_firsts_except(const Stream& closing) const;
  // Target thread: stop writing, keep open splits as .failed, record the error.
  void fail_target(const std::string& message);

  config::TargetConfig config_;
  TargetLog log_;
  TargetCounters counters_;
  TargetCheckpoints checkpoints_;
  PacketPath path_;
  split::SplitPolicy policy_;
  std::unique_ptr<SplitDelivery> delivery_;
  bool encoded_ = false;  // the files' bytes are not the pcap stream (codec, PipeCmd, rcat)

  WorkQueue<Item> queue_;  // from the reader
  std::atomic<bool> hurry_{false};

  std::vector<Stream> streams_;  // target thread only
  bool failed_ = false;          // target thread: stopped taking packets
};

}  // namespace pushcap::push
