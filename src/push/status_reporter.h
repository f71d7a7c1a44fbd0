#pragma once
// The status thread of a run: a JSON status line per target each second and a heartbeat line
// per target in the main log (the original's shapes), the progress line on a terminal, and the
// reaction to signals (a second one makes every target hurry).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture/source.h"
#include "push/log_file.h"
#include "push/target.h"

namespace pushcap::push {

/// One status JSON line for a target (module, subsystem, timestamp, ver, instance, Process,
/// IsUp, Splits, TotalByte, TotalPkt, TransferMbps, PCAPTS, FilterBPF, FilterFrame, Target, and
/// pushcap's Filtered and Dropped counters).
std::string status_json(const config::TargetConfig& cfg, const TargetStats& s, double mbps);

/// Runs the status thread from construction until stop().
class StatusReporter {
 public:
  struct Options {
    LogFile* main_log = nullptr;        ///< status and heartbeat lines; none when null
    std::vector<LogFile*> target_logs;  ///< per target (may be empty): a progress line per heartbeat
    bool progress = false;              ///< draw the progress line on stderr
    int heartbeat_seconds = 15;
  };
  StatusReporter(const std::vector<std::unique_ptr<Target>>& targets, const capture::Source& source, Options options);
  ~StatusReporter() { stop(); }
  StatusReporter(const StatusReporter&) = delete;
  StatusReporter& operator=(const StatusReporter&) = delete;

  /// Stops the thread and clears the progress line.
  void stop();

 private:
  void loop();
  void write_status(double seconds);
  void draw_progress(std::int64_t now);

  const std::vector<std::unique_ptr<Target>>& targets_;
  const capture::Source& source_;
  Options options_;
  std::int64_t started_;
  std::vector<std::uint64_t> last_bytes_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace pushcap::push
