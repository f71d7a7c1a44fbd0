#pragma once
// One push target: its own thread, filter, splitter, writer and counters, fed the shared,
// read-only batches of the reader (DESIGN.md, Architecture).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/source.h"
#include "config/push_config.h"
#include "decap/frame_pipeline.h"
#include "decap/frame_tags.h"
#include "filter/bpf_program.h"
#include "filter/frame_filter.h"
#include "hooks/script_pool.h"
#include "push/checkpoint.h"
#include "push/closer.h"
#include "push/log_file.h"
#include "push/split_output.h"
#include "push/target_stats.h"
#include "sink/pending_file.h"
#include "sink/rclone.h"
#include "sink/rclone_uploader.h"
#include "sink/spool.h"
#include "split/file_namer.h"
#include "split/finished_split.h"
#include "split/pcap_writer.h"
#include "split/split_policy.h"

namespace pushcap::push {

/// Where a target reports what it does; any pointer may be null.
struct TargetLogs {
  LogFile* target = nullptr;  ///< push_<Desc>_YYYYMMDD_HHMM
  LogFile* main = nullptr;    ///< the main log (split events as JSON)
  bool echo_stderr = false;   ///< also print warnings and errors on stderr
};

/// A push target. post()/post_end() are called by the reader thread; run() is the target's
/// thread; stats() and hurry() may be called from anywhere.
class Target {
 public:
  Target(config::TargetConfig config, Closer& closer, hooks::ScriptPool& scripts, TargetLogs logs);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  /// Opens what the target needs before any packet: an RCLONE target's spool (taking up the
  /// splits a previous run left in it) and its uploader.
  Result<void> start();
  /// Realtime push: saves a checkpoint with every split it publishes; `source` names the
  /// inputs; with `last`, records published before it are skipped. Before start().
  void use_checkpoints(CheckpointFile file, const capture::Source* source, const std::optional<Checkpoint>& last);
  /// Closes the checkpoint file and its lock (a retired target; a changed one restarts on it).
  void release_checkpoint() { checkpoint_.reset(); }
  /// Removes the .pending files of this target's local outputs that a run which died left
  /// behind (their splits are rebuilt from the checkpoint); returns their names.
  std::vector<std::string> remove_stale_pending();

  /// After run(): waits until every split is uploaded (retrying for ever), or until
  /// `give_up()`; what is left stays in the spool for the next run.
  void finish_uploads(const std::function<bool()>& give_up);

  /// Queues a batch for this target.
  void post(capture::BatchPtr batch);
  /// Queues a watermark: every packet with a timestamp below `ts` has been posted. Time splits
  /// that end at or before it are published without waiting for a later packet (live and follow
  /// sources raise it with the clock; a file source's end of input does the same through
  /// post_end()).
  void post_watermark(std::uint64_t ts);
  /// Says no more batches follow.
  void post_end();
  /// Processes batches until post_end(), then finalises every open split.
  void run();
  /// Stop processing queued batches (a second signal): they are counted as interrupted.
  void hurry() { hurry_.store(true, std::memory_order_relaxed); }

  /// The counters now.
  [[nodiscard]] TargetStats stats() const;
  /// The target's config.
  [[nodiscard]] const config::TargetConfig& config() const { return config_; }
  /// The target's own log, if any.
  [[nodiscard]] LogFile* log() const { return logs_.target; }

 private:
  /// Where a record is in the source: input, offset of its data, offset of its record header
  /// (0 when it has no classic pcap header to seek to).
  struct Pos {
    std::uint32_t input = 0;
    std::uint64_t data = 0;
    std::uint64_t start = 0;
    [[nodiscard]] bool before(const Pos& o) const { return input != o.input ? input < o.input : data < o.data; }
  };
  struct OpenFile {
    std::unique_ptr<SplitOutput> output;
    Pos first, last;              // the split's first and last records
    std::uint64_t spool_seq = 0;  // RCLONE spool entry
    std::string remote_tmp;       // Upload = "stream": where rcat writes
    split::PcapWriter writer;
    std::uint32_t header_snaplen = 0;  // snap length in the file header
    std::uint32_t max_caplen = 0;      // largest changed record; the header is raised to it at close
    std::uint64_t file_bytes = 0;      // header + records
    std::uint64_t packets = 0;
    std::uint64_t first_ts = 0;
    std::uint64_t last_ts = 0;
    std::int64_t opened_wall = 0;
  };
  struct Stream {
    capture::LinkFormat format;  // linktype + resolution + snaplen of the stream's files
    std::string tag;             // "" for the first format, "_dlt<N>_<res>" for others
    OpenFile open;
  };

  /// One queue entry: a batch, or (batch == nullptr) a watermark.
  struct Item {
    capture::BatchPtr batch;
    std::uint64_t watermark = 0;
  };

  /// How packets of one input format leave this target: their output format (the input's, or
  /// Ethernet once de-encapsulated), the BPF program for it and the stream they are written to.
  struct Output {
    capture::LinkFormat format;
    std::optional<filter::BpfProgram> program;
    std::uint8_t program_state = 0;  // 0 not compiled yet, 1 ok, 2 does not compile for this format
    std::int16_t stream = -1;
  };

  void process(const capture::Batch& batch);
  void on_watermark(std::uint64_t ts);
  Output& output_for(capture::FormatId id, const capture::LinkFormat& input, bool converted);
  const filter::BpfProgram* program_for(Output& out);
  Stream& stream_for(Output& out);
  bool open_split(Stream& stream, std::uint64_t ts);
  void close_split(Stream& stream, std::uint64_t closing_ts);
  // Waits for room in a full spool; false when a signal came first.
  bool wait_for_spool();
  // The split's local file candidates.
  sink::NameFn local_names(const split::SplitTimes& times, const std::string& tag, std::uint64_t spool_seq) const;
  // A split whose PipeCmd failed: keep it raw, count it, say so.
  void keep_failed_pipe_split(OpenFile& f, SplitOutput& out, const std::string& final_name);
  // A split is final (local file, or remote name): counters, log, event, then scripts;
  // `after` runs when the scripts are done.
  void published(const split::FinishedSplit& split, std::function<void()> after);
  void on_uploaded(sink::SpoolEntry& entry, bool spooled);
  void close_all(std::uint64_t closing_ts);
  // Where to read again once `closing` is published: its last record's successor, or the first
  // record of another split still open, whichever comes first.
  ResumePoint resume_after(const Stream& closing) const;
  // Skips records a previous run published (resume_); returns the index of the first to process.
  std::size_t skip_published(const capture::Batch& batch);
  void save_stream_checkpoint(const std::string& remote_base);
  void save_first_checkpoint(const capture::Batch& batch, std::size_t index);
  void publish_open_splits();
  // Target thread: stop writing, keep open splits as .failed, record the error.
  void fail_target(const std::string& message);
  // Any thread: count a split that was not published and its packets under `reason`.
  void count_lost_split(std::uint64_t packets, DropReason reason = DropReason::kWriteFailed);
  // Any thread: record an error and make the target thread stop at its next batch.
  void record_failure(const std::string& message);
  void warn(const std::string& message);
  // Any thread: "target 'Desc': KIND: message" into the main log and on stderr (when echoed),
  // and into the target's log unless it already has the detail.
  void say(const char* kind, const std::string& message, bool in_target_log = true);

  config::TargetConfig config_;
  Closer& closer_;
  hooks::ScriptPool& scripts_;
  TargetLogs logs_;
  OutputPlan plan_;
  std::unique_ptr<sink::Rclone> rclone_;
  std::unique_ptr<sink::Spool> spool_;
  std::unique_ptr<sink::RcloneUploader> uploader_;
  split::FileNamer namer_;
  split::SplitPolicy policy_;

  // queue from the reader
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Item> queue_;
  bool ended_ = false;
  std::atomic<bool> hurry_{false};

  // decap and frame filter, before the BPF filter
  std::optional<decap::FramePipeline> pipeline_;
  filter::FrameFilter frame_filter_;
  bool has_frame_filter_ = false;
  decap::FrameTags tags_;

  // outputs: one per (input format id, de-encapsulated or not), BPF compiled on first use
  bool has_filter_ = false;
  std::vector<Output> outputs_;
  std::vector<std::int16_t> output_of_format_[2];  // [converted][format id] -> index into outputs_, -1 unknown

  // checkpoints (realtime push)
  std::optional<CheckpointFile> checkpoint_;
  const capture::Source* source_ = nullptr;
  std::optional<ResumePoint> resume_;
  std::uint64_t checkpoint_splits_ = 0;  // closer thread (uploader threads for streamed splits)
  bool checkpoint_started_ = false;      // a checkpoint exists (loaded, or saved at the first record)
  struct StreamCheckpoint {
    std::string remote_base;
    ResumePoint resume;
    bool done = false;
  };
  std::mutex stream_checkpoint_mutex_;
  std::deque<StreamCheckpoint> stream_checkpoints_;  // streamed splits in order, until uploaded
  std::atomic<std::uint64_t> resume_skipped_{0};

  // splitting
  std::vector<Stream> streams_;
  bool failed_ = false;

  // counters (written by the target and closer threads)
  std::atomic<std::uint64_t> seen_{0}, filtered_{0}, accepted_{0}, accepted_bytes_{0};
  std::atomic<std::uint64_t> published_{0}, published_bytes_{0}, splits_{0}, splits_failed_{0}, last_ts_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(DropReason::kCount)> dropped_{};
  std::atomic<bool> closer_failed_{false};
  std::atomic<std::uint64_t> progress_ts_{0};  // packet time processed: last record or watermark
  std::atomic<bool> rclone_unusable_{false};   // its daemon exits at start (bad flag or config)
  std::atomic<std::uint64_t> pipe_failures_{0}, script_failures_{0}, scripts_run_{0}, uploads_{0}, upload_retries_{0};
  std::atomic<std::uint64_t> spool_waits_{0};
  mutable std::mutex decap_mutex_;
  decap::DecapCounters decap_published_;  // the pipeline's counters as of the last batch
  mutable std::mutex failure_mutex_;
  std::string failure_;
};

}  // namespace pushcap::push
