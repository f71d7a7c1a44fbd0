#pragma once
// Uploads an RCLONE target's splits in the order they were made, on threads of its own (one per
// transfer at once):
//   spooled: the remote final name is checked (an identical object there means an earlier run
//     already uploaded it: it is not uploaded twice; a different one moves this split to the
//     next free "_N" name), the file is copied to a hidden temporary name (".NAME.partial"),
//     its size and MD5 (where the backend has one) are compared with the local file, it is
//     moved to the final name, and the spool records that; only then is the local copy handed
//     back for scripts and removal.
//   streamed: rclone rcat already sent the bytes to the temporary name while the split was
//     written; its exit status and the object's size are checked before the move.
// Any failing step is retried from the start of the protocol after a capped exponential
// backoff, for ever, while new splits keep coming; each failure is logged with rclone's exit
// status and last error line.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/work_queue.h"
#include "encode/pipe_command.h"
#include "sink/rclone.h"
#include "sink/spool.h"

namespace pushcap::sink {

/// A split that rclone rcat streamed to its temporary name.
struct StreamedSplit {
  std::unique_ptr<encode::PipeCommand> rcat;
  std::string temp;       ///< where rcat wrote
  SpoolEntry entry;       ///< names and facts (no local file)
  std::string moving_to;  ///< the final name a move was tried to (a retry checks it first)
};

/// What the uploader reports back to its target.
struct UploaderEvents {
  std::function<void(const std::string& line)> log;
  /// An attempt failed and will be retried (`error` says why).
  std::function<void(const std::string& error)> retry;
  /// The split is under its final remote name (entry.split.remote); for spooled entries the
  /// receiver must eventually call Spool::remove(entry).
  std::function<void(SpoolEntry& entry, bool spooled)> uploaded;
  /// A streamed split that cannot be completed (its bytes are gone with the stream).
  std::function<void(const SpoolEntry& entry, const std::string& error)> lost;
};

class RcloneUploader {
 public:
  /// `transfers` splits are uploaded at once (each its own rclone calls), as rclone copy's
  /// --transfers does.
  RcloneUploader(const Rclone& rclone, Spool* spool, UploaderEvents events, std::chrono::seconds max_backoff,
                 unsigned transfers = 1);
  ~RcloneUploader();
  RcloneUploader(const RcloneUploader&) = delete;
  RcloneUploader& operator=(const RcloneUploader&) = delete;

  void enqueue(SpoolEntry entry);
  void enqueue(StreamedSplit split);
  /// Waits until every queued split is uploaded, or until `give_up()` (a signal): then stops
  /// retrying and leaves the rest in the spool for the next run. Stops the thread.
  void finish(const std::function<bool()>& give_up);
  /// Splits waiting or in progress.
  [[nodiscard]] std::size_t pending() const;
  /// The error of the last failed attempt ("" after a success).
  [[nodiscard]] std::string last_error() const;

 private:
  struct Job {
    std::optional<SpoolEntry> spooled;
    std::optional<StreamedSplit> streamed;
  };
  void add(Job job);
  void loop();
  Result<void> upload(SpoolEntry& entry, std::string& local_md5);
  Result<void> complete_stream(StreamedSplit& split, bool& rcat_done);
  Result<void> move_into_place(SpoolEntry& entry, const std::string& temp, std::uint64_t size, const std::string& md5);
  bool sleep_backoff(std::chrono::milliseconds delay);

  const Rclone& rclone_;
  Spool* spool_;
  UploaderEvents events_;
  std::chrono::milliseconds max_backoff_;
  WorkQueue<Job> queue_;  // splits waiting or being uploaded; cancelled when giving up
  mutable std::mutex error_mutex_;
  std::string last_error_;
  std::vector<std::thread> threads_;
};

/// The hidden temporary name beside a final remote name: "dir/.NAME.partial".
std::string temporary_name(const std::string& remote);

}  // namespace pushcap::sink
