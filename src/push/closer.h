#pragma once
// Publishes finished splits off the packet path: a thread that fsyncs, renames and fsyncs the
// directory of each split handed to it, in order, then reports the outcome. The writer only
// waits when the bytes handed over but not yet synced pass a bound (DESIGN.md, durable output).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "core/work_queue.h"
#include "sink/pending_file.h"
#include "split/split_spec.h"

namespace pushcap::push {

/// A split file that is complete and waits to be made durable and renamed.
struct ClosingSplit {
  sink::PendingFile file;
  sink::NameFn name;                  ///< candidate final names
  std::optional<split::Owner> owner;  ///< -Z
  std::uint64_t bytes = 0;            ///< file size, for the unsynced-bytes bound
  /// Called before the file is renamed (an RCLONE target's spool record, the checkpoint that
  /// names the pending file); an error fails it.
  std::function<Result<void>()> prepare;
  /// Called on the closer thread with the final path or the error; `recorded` when prepare
  /// succeeded, so that a record names the pending file (and the next run publishes it).
  std::function<void(Result<std::string>, sink::PendingFile&, bool recorded)> done;
};

/// The closer thread.
class Closer {
 public:
  /// `max_unsynced` bytes may wait for fsync before submit() blocks.
  explicit Closer(std::uint64_t max_unsynced);
  ~Closer();
  Closer(const Closer&) = delete;
  Closer& operator=(const Closer&) = delete;

  /// Queues a split; blocks while too many bytes are waiting.
  void submit(ClosingSplit split);
  /// Waits until every split submitted so far is done (published or failed).
  void wait_idle();
  /// Finishes every queued split and stops the thread.
  void finish();

 private:
  void loop();
  static void publish(ClosingSplit& split);

  WorkQueue<ClosingSplit> queue_;  // weighed in bytes not yet synced
  std::thread thread_;
};

}  // namespace pushcap::push
