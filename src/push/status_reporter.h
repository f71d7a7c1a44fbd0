#pragma once
// The status thread of a run: a JSON status line per target each second and a heartbeat line
// per target in the main log (the original's shapes), the progress line on a terminal, and the
// reaction to signals (a second one makes every target hurry).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/source.h"
#include "core/http_server.h"
#include "push/log_file.h"
#include "push/target.h"
#include "push/target_set.h"

namespace pushcap::push {

/// One status JSON line for a target (module, subsystem, timestamp, ver, instance, Process,
/// IsUp, Splits, TotalByte, TotalPkt, TransferMbps, PCAPTS, FilterBPF, FilterFrame, Target, and
/// pushcap's Filtered and Dropped counters).
std::string status_json(const config::TargetConfig& cfg, const TargetStats& s, double mbps);
/// The same as a JSON object, with the realtime fields when lag_seconds >= 0: LagSeconds (packet
/// time behind the wall clock) and Paused.
nlohmann::ordered_json status_object(const config::TargetConfig& cfg, const TargetStats& s, double mbps,
                                     double lag_seconds, bool paused);

/// Prometheus text exposition of every target's counters.
std::string metrics_text(const std::vector<std::pair<const config::TargetConfig*, TargetStats>>& targets,
                         const std::vector<double>& lag_seconds, bool paused);

/// Runs the status thread from construction until stop().
class StatusReporter {
 public:
  struct Options {
    LogFile* main_log = nullptr;  ///< status and heartbeat lines; none when null
    bool progress = false;        ///< draw the progress line on stderr
    int heartbeat_seconds = 15;
    bool realtime = false;          ///< lag is measured against the wall clock
    std::string state_dir;          ///< status.json goes here each second ("" = none)
    TextServer* metrics = nullptr;  ///< gets the Prometheus text each second
    std::function<bool()> paused;   ///< the schedule paused pushing
    std::function<void()> reload;   ///< run on SIGHUP (this thread is long-lived: see sink/RcloneDaemon)
    /// Called once for each target seen failed (within a second of its failure).
    std::function<void(const std::string& desc, const std::string& failure)> target_failed;
  };
  StatusReporter(TargetSet& targets, const capture::Source& source, Options options);
  ~StatusReporter() { stop(); }
  StatusReporter(const StatusReporter&) = delete;
  StatusReporter& operator=(const StatusReporter&) = delete;

  /// Stops the thread and clears the progress line.
  void stop();
  /// No reload after this returns (one in progress is finished first).
  void stop_reloads();
  /// After stop(): "" when status.json was always written; else its first error.
  [[nodiscard]] std::string failure() const { return state_error_; }

 private:
  void loop();
  void write_status(double seconds);
  void write_state_file(const std::string& json);
  void draw_progress(std::int64_t now);

  TargetSet& targets_;
  const capture::Source& source_;
  Options options_;
  std::int64_t started_;
  std::map<std::string, std::uint64_t> last_bytes_;  // by Desc
  std::set<std::string> failed_seen_;                // by Desc
  std::string state_error_;                          // the first status.json write error
  bool state_failing_ = false;                       // the last status.json write failed
  std::mutex reload_mutex_;
  bool reloads_stopped_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace pushcap::push
