#pragma once
// rclone as pushcap drives it (docs/DESIGN.md, rclone's faults): each step (stat, copy, move, delete) is one call
// to the target's `rclone rcd` (rclone_daemon.h), with rclone's own connect and I/O timeouts
// and a wall-clock deadline of pushcap's own that kills a hung rclone; AWS_CA_BUNDLE removed
// from its environment; failures reported with rclone's status and error text. Judged by the
// status of the answer, never by "ERROR" in rclone's output. The streaming mode's `rclone rcat`
// is a process of its own per split.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/subprocess.h"
#include "sink/rclone_daemon.h"

namespace pushcap::sink {

/// How rclone is run.
struct RcloneOptions {
  std::string binary = "rclone";
  std::string config;                                    ///< --config FILE
  std::vector<std::string> extra_flags;                  ///< the target's RcloneFlags
  std::chrono::seconds contimeout{10};                   ///< --contimeout
  std::chrono::seconds io_timeout{30};                   ///< --timeout (idle time of a transfer)
  std::chrono::seconds command_limit{60};                ///< deadline of a command that moves no file data
  std::uint64_t min_rate = 1u << 20;                     ///< bytes/s a transfer is allowed at worst (sets its deadline)
  std::function<void(const std::string&)> log;           ///< the daemon's starts and kills
  std::function<void(const std::string&)> cannot_start;  ///< see RcloneDaemonOptions
};

/// An object on the remote.
struct RemoteObject {
  std::uint64_t size = 0;
  std::string md5;  ///< "" when the backend has no MD5
};

/// The rclone steps of an upload. A failed step's message names the step, the status and
/// rclone's error text.
class Rclone {
 public:
  explicit Rclone(RcloneOptions options);
  ~Rclone();
  Rclone(const Rclone&) = delete;
  Rclone& operator=(const Rclone&) = delete;

  /// Starts the daemon without waiting for it (see RcloneDaemon::start).
  Result<void> start();
  /// Kills the daemon: the steps in flight fail at once (see RcloneDaemon::stop).
  void stop();

  /// The object at `remote`, nullopt if there is none; with its MD5 if `hash` and the backend
  /// has one (some backends compute it on request: SFTP servers read the whole file).
  Result<std::optional<RemoteObject>> stat(const std::string& remote, bool hash = true) const;
  /// Uploads a complete local file to `remote` (one attempt, rclone's low-level retries only).
  /// rclone compares the hash it computed while sending with the remote's, where the backend
  /// has one, and fails the copy on a mismatch.
  Result<void> copyto(const std::string& local, const std::string& remote, std::uint64_t bytes) const;
  /// Renames on the remote (server-side where the backend can).
  Result<void> moveto(const std::string& from, const std::string& to, std::uint64_t bytes) const;
  /// Deletes one remote object.
  Result<void> deletefile(const std::string& remote) const;
  /// The command that streams stdin to `remote` (rclone rcat), for the streaming mode.
  [[nodiscard]] SpawnOptions rcat(const std::string& remote) const;
  /// The deadline for moving `bytes` of file data.
  [[nodiscard]] std::chrono::milliseconds transfer_limit(std::uint64_t bytes) const;

  [[nodiscard]] const RcloneOptions& options() const { return options_; }

 private:
  [[nodiscard]] std::vector<std::string> global_flags() const;
  // One step through the daemon; errors say "rclone <step>: ...".
  Result<RcReply> call(const std::string& step, const std::string& method, const nlohmann::json& input,
                       std::chrono::milliseconds limit) const;
  // The same for a step that must answer 200.
  Result<void> run(const std::string& step, const std::string& method, const nlohmann::json& input,
                   std::chrono::milliseconds limit) const;

  RcloneOptions options_;
  std::unique_ptr<RcloneDaemon> daemon_;
};

/// Splits "remote:dir/sub/name" into "remote:dir/sub/" and "name".
std::pair<std::string, std::string> split_remote(const std::string& remote);
/// True when `path` names an rclone remote ("name:..."), not a local path.
bool is_remote_path(const std::string& path);
/// The remote names in an rclone config file ([name] sections), or an error naming the file.
Result<std::vector<std::string>> rclone_config_remotes(const std::string& config_file);
/// Where the rclone config is when Config.RcloneConfig is not set: $RCLONE_CONFIG, else
/// /etc/pushcap/rclone.conf if it exists, else rclone's own default (~/.config/rclone/rclone.conf).
std::string default_rclone_config();

}  // namespace pushcap::sink
