#pragma once
// One long-running `rclone rcd` per RCLONE target, driven through rclone's remote control API
// on 127.0.0.1 (a random port and password, the password passed in its environment). A step
// then costs an HTTP call on loopback instead of a process start and a new connection to the
// endpoint (an SSH handshake for SFTP): about 8 ms instead of 60 ms here.
//
// Every call has a deadline of pushcap's own. Past it, or when the daemon stops answering, the
// daemon's process group is killed (any other call in flight fails with it and is retried) and
// the next call starts a new one.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pushcap::sink {

/// How the daemon is started.
struct RcloneDaemonOptions {
  std::string binary = "rclone";
  std::vector<std::string> flags;                 ///< global flags: --config, timeouts, the target's RcloneFlags
  std::chrono::milliseconds start_limit{10'000};  ///< time allowed to start answering
  std::function<void(const std::string&)> log;    ///< starts, stops and kills are logged here
  /// Called (from a thread of the daemon's) when a daemon exits before it answers, for a reason
  /// that another start would meet again: a bad flag, an unusable config. Not for a lost race
  /// for its port, which is retried.
  std::function<void(const std::string&)> cannot_start;
};

/// What the remote control answered: the HTTP status and the JSON body (rclone puts its error
/// message in "error" when the status is not 200).
struct RcReply {
  int status = 0;
  nlohmann::json body;
  /// rclone's error text ("" for 200).
  [[nodiscard]] std::string error() const;
};

/// A supervised `rclone rcd`.
class RcloneDaemon {
 public:
  explicit RcloneDaemon(RcloneDaemonOptions options);
  ~RcloneDaemon();
  RcloneDaemon(const RcloneDaemon&) = delete;
  RcloneDaemon& operator=(const RcloneDaemon&) = delete;

  /// Starts the daemon now without waiting for it: a missing rclone fails here, a bad flag soon
  /// after through `cannot_start`, and the first call waits until it answers.
  Result<void> start();
  /// Calls `method` (e.g. "operations/stat") with `input`. An Error means no answer: the daemon
  /// could not start, died, or did not answer within `limit` (it is then killed).
  Result<RcReply> call(const std::string& method, const nlohmann::json& input, std::chrono::milliseconds limit);
  /// Kills the daemon now; calls in flight fail (the next call would start another).
  void stop();

 private:
  struct Instance;
  Result<std::shared_ptr<Instance>> running();
  Result<std::shared_ptr<Instance>> launch();  // with mutex_ held
  void kill(const std::shared_ptr<Instance>& instance, const std::string& why);

  RcloneDaemonOptions options_;
  std::mutex mutex_;
  std::shared_ptr<Instance> current_;
};

}  // namespace pushcap::sink
