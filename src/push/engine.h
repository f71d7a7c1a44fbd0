#pragma once
// Wires one source to every target: the reader on the calling thread, one thread per target,
// the closer thread, and a status thread for JSON status lines, heartbeats and progress.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/file_source.h"
#include "capture/source.h"
#include "config/push_config.h"
#include "core/http_server.h"
#include "core/result.h"
#include "hooks/script_pool.h"
#include "push/checkpoint.h"
#include "push/closer.h"
#include "push/log_file.h"
#include "push/status_reporter.h"
#include "push/target_set.h"
#include "push/target_stats.h"

namespace pushcap::push {

class Target;
class TargetSet;
class Closer;

/// How the engine runs.
struct EngineOptions {
  std::string log_dir;                      ///< "" = no log files (pushcap split without --log-dir)
  bool progress = false;                    ///< draw a progress line on stderr (a terminal)
  bool echo_stderr = true;                  ///< warnings and errors also on stderr
  std::size_t batch_bytes = 4u << 20;       ///< size of one read
  std::size_t batch_count = 16;             ///< batches in flight (memory = count x bytes)
  std::uint64_t max_unsynced = 1ull << 30;  ///< bytes handed to the closer before the writer waits
  int heartbeat_seconds = 15;               ///< heartbeat line period in the main log
  std::string state_dir;                    ///< realtime push: checkpoints live here ("" = none)
  bool realtime = false;                    ///< follows a live source: SIGHUP reloads, Schedule applies
  int metrics_port = -1;                    ///< Prometheus text on 127.0.0.1:PORT (-1 = off, 0 = any)
  std::uint64_t grace_ns = 0;               ///< time splits close this long after the watermark passes their end
};

/// What a run came to.
struct RunReport {
  capture::SourceOutcome source;
  std::vector<std::string> desc;           ///< per target, in config order
  std::vector<TargetStats> targets;        ///< per target
  int signal = 0;                          ///< the first signal that interrupted the run, or 0
  double seconds = 0;                      ///< wall time of the run
  std::uint64_t input_bytes = 0;           ///< bytes read
  std::string setup_error;                 ///< a target could not start (nothing was read)
  std::vector<std::string> record_errors;  ///< a log or status.json that could not be written
  [[nodiscard]] bool ok() const;           ///< no input error, no target failure, no signal
};

/// Runs a config over a source once.
class Engine {
 public:
  /// Opens the logs; touches no output yet.
  static Result<std::unique_ptr<Engine>> create(const config::PushConfig& config, const EngineOptions& options);
  /// Reads the inputs and pushes them to every target.
  RunReport run(const std::vector<capture::Input>& inputs);
  /// Reads a source made over pool() and pushes it to every target.
  RunReport run(capture::Source& source);
  /// The batches sources read into (count x bytes of EngineOptions).
  [[nodiscard]] capture::BatchPool& pool() { return pool_; }
  /// The main log, if any.
  [[nodiscard]] LogFile* main_log() const { return main_log_.get(); }

 private:
  Engine(config::PushConfig config, EngineOptions options)
      : config_(std::move(config)), options_(std::move(options)), pool_(options_.batch_count, options_.batch_bytes) {}

  // Realtime push: opens a target's checkpoint, completes what a crash interrupted, and says
  // where the target resumes (nullopt: no checkpoint yet).
  Result<std::optional<ResumePoint>> resume_target(Target& target, const capture::Source& source);
  // Builds and starts one target (its log, checkpoint, spool, uploader); `resumed` learns where
  // its checkpoint says to read again.
  Result<std::unique_ptr<Target>> make_target(const config::TargetConfig& tc, Closer& closer,
                                              hooks::ScriptPool& scripts, const capture::Source& source,
                                              std::optional<ResumePoint>* resumed);
  // SIGHUP: loads the config again; a bad one keeps the running config. Unchanged targets keep
  // running, removed and changed ones finalise, new and changed ones start.
  void reload(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts, const capture::Source& source);
  // The steps of run(): the targets (and where the source resumes, from their checkpoints),
  // the metrics endpoint, the status thread's options, what the source's events do, the
  // targets' last counters into the report.
  Result<void> start_targets(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts, capture::Source& source);
  void start_metrics(TextServer& metrics);
  StatusReporter::Options status_options(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts,
                                         const capture::Source& source, TextServer& metrics);
  capture::SourceEvents source_events(TargetSet& set);
  static void take_final_stats(TargetSet& set, RunReport& report);
  // Blocks the reader while the schedule says pushing pauses (false: interrupted).
  bool wait_for_schedule();
  // A line in the main log (and on stderr when echoed).
  void note(const std::string& text) const;

  config::PushConfig config_;
  EngineOptions options_;
  capture::BatchPool pool_;
  std::unique_ptr<LogFile> main_log_;
  std::map<std::string, std::unique_ptr<LogFile>> target_logs_;  // by Desc
  std::mutex schedule_mutex_;
  config::Schedule schedule_;  // the running config's (replaced by a reload)
  bool paused_ = false;
};

/// The end-of-run summary, one block per target, as printed on stderr and in the main log.
std::string format_summary(const RunReport& report);

}  // namespace pushcap::push
