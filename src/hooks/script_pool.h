#pragma once
// Runs users' scripts outside the packet path: a fixed number of worker threads take jobs from
// a bounded queue; each script runs in its own process group with a time limit, its stdout and
// stderr go line by line to the target's log (up to a cap per run), its exit status after them.
// A failing script is counted and logged; it never stops the push.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/work_queue.h"

namespace pushcap::hooks {

/// One script call: `sh -c 'COMMAND "$@"' ARGS...`, so COMMAND may carry its own arguments.
struct ScriptRun {
  std::string kind;  ///< "close script", "Post script": names it in the log
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> env;  ///< NAME=value added to the environment
};

/// Scripts run in order for one split, then done(failures) is called on the worker thread.
struct ScriptJob {
  std::vector<ScriptRun> runs;
  std::function<void(const std::string& line)> log;  ///< a line for the target's log
  std::function<void(unsigned failures)> done;       ///< may be empty
};

/// How the pool runs scripts.
struct ScriptLimits {
  unsigned workers = 2;                                            ///< scripts running at once
  std::chrono::milliseconds time_limit{std::chrono::minutes(10)};  ///< per script
  std::size_t max_queue = 1024;                                    ///< jobs waiting before submit() blocks
  std::size_t max_logged_output = 64 * 1024;                       ///< output bytes logged per script
};

class ScriptPool {
 public:
  explicit ScriptPool(ScriptLimits limits);
  ~ScriptPool();
  ScriptPool(const ScriptPool&) = delete;
  ScriptPool& operator=(const ScriptPool&) = delete;

  /// Queues a job; blocks while max_queue jobs wait (besides those running).
  void submit(ScriptJob job);
  /// Runs every queued job to its end, then stops the workers.
  void finish();
  /// Scripts run and scripts that failed (non-zero exit, signal, time limit, cannot start).
  [[nodiscard]] std::uint64_t runs() const { return runs_.load(); }
  [[nodiscard]] std::uint64_t failures() const { return failures_.load(); }

 private:
  void work();
  bool run_one(const ScriptRun& run, const std::function<void(const std::string&)>& log);

  ScriptLimits limits_;
  WorkQueue<ScriptJob> queue_;  // jobs waiting or running
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> runs_{0}, failures_{0};
};

}  // namespace pushcap::hooks
