#pragma once
// The second half of a split's way: what happens to it once its bytes are all written. One
// interface, three kinds, chosen by the target's Mode once:
//
//   local     (Mode = "File")      the closer makes the .pending file durable and renames it
//   spooled   (Mode = "RCLONE")    the same into the target's spool, then the uploader copies it
//                                  to a temporary remote name, checks it and moves it into place
//   streamed  (Upload = "stream")  rclone rcat sent the bytes while they were written; the
//                                  uploader checks the object and moves it into place
//
// In each, a split is "published" once it is under its final name: it is counted, logged with a
// JSON event, its checkpoint saved in order, and its close and Post scripts run. A split that
// cannot be published is kept under a name that says so, counted as lost, and said.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/push_config.h"
#include "hooks/script_pool.h"
#include "push/closer.h"
#include "push/split_output.h"
#include "push/target_checkpoints.h"
#include "push/target_log.h"
#include "push/target_stats.h"
#include "split/file_namer.h"
#include "split/finished_split.h"

namespace pushcap::push {

/// What a target hands over with a complete split.
struct SplitHandover {
  split::FinishedSplit facts;         ///< everything but the path, known once published
  split::SplitTimes times;            ///< names the split
  std::string tag;                    ///< a second output format's name tag ("" for the first)
  std::optional<ResumePoint> resume;  ///< where to read again once it is published (checkpoints)
};

/// What a delivery works with; all outlive it.
struct DeliveryContext {
  const config::TargetConfig& config;
  Closer& closer;
  hooks::ScriptPool& scripts;
  TargetCounters& counters;
  const TargetLog& log;
  TargetCheckpoints& checkpoints;
};

class SplitDelivery {
 public:
  virtual ~SplitDelivery() = default;
  SplitDelivery(const SplitDelivery&) = delete;
  SplitDelivery& operator=(const SplitDelivery&) = delete;

  /// Opens what the delivery needs before any packet (an RCLONE target's daemon, spool and
  /// uploader, taking up what an earlier run left in the spool).
  virtual Result<void> start() { return {}; }
  /// Opens the output of a new split. nullptr, with no error, when a signal came while waiting
  /// for room (a full spool).
  virtual Result<std::unique_ptr<SplitOutput>> open(const split::SplitTimes& times, const std::string& tag) = 0;
  /// Takes a split whose output finished without error, and publishes it (now or later, on
  /// another thread). Target thread.
  virtual void deliver(std::unique_ptr<SplitOutput> out, SplitHandover split) = 0;
  /// Gives up a split that cannot be completed; returns what became of it, for the log. With
  /// checkpoints the split is removed and the checkpoint held before it, so the next run writes
  /// it again whole; without, it is kept under a .failed name (its only copy).
  virtual std::string abandon(SplitOutput& out);
  /// After the target's thread ended: waits for its uploads until done or `give_up()`.
  virtual void finish(const std::function<bool()>& give_up) { (void)give_up; }
  /// Removes the .pending files a run that died left behind (no live process holds them);
  /// returns their names.
  virtual std::vector<std::string> remove_stale_pending() { return {}; }
  /// Adds the delivery's own state (spool, uploads) to a snapshot.
  virtual void fill(TargetStats& stats) const { (void)stats; }

 protected:
  explicit SplitDelivery(const DeliveryContext& ctx);

  /// A split is final (local file, or remote name): counters, log line, JSON event, then its
  /// scripts; `after` runs once they are done (or at once without scripts).
  void announce(const split::FinishedSplit& split, std::function<void()> after);
  /// A split whose PipeCmd failed: its raw copy is kept as "<keep_as>.pipecmd-failed.pcap",
  /// its packets counted as lost, and it is said.
  void keep_failed_pipe_split(SplitOutput& out, std::uint64_t packets, const std::string& keep_as);
  /// The closer's verdict on a local file (closer thread). Returns the published path, or
  /// nullopt when the split could not be published: then it is counted as not written, the
  /// target fails, and the file is kept as .failed (no checkpoints), removed (the checkpoint
  /// stays before it), or, when the checkpoint already names it (`recorded`: the rename failed),
  /// left pending for the next run to publish. A file that is complete under its final name but
  /// whose directory sync failed counts as published, and the target fails (the disk is failing).
  std::optional<std::string> settle(Result<std::string> final_path, sink::PendingFile& pending, std::uint64_t packets,
                                    bool recorded);
  /// True when settle() leaves an unpublished file pending: the checkpoint names it.
  [[nodiscard]] bool keeps_pending(bool recorded) const { return recorded && ctx_.checkpoints.active(); }
  /// A split was removed because the next run writes it again: holds the checkpoint before it;
  /// returns what to say of it.
  std::string rebuilt_next();
  /// Any thread: the target failed (it stops at its next batch); said as an error.
  void fail(const std::string& message);

  DeliveryContext ctx_;
  split::FileNamer namer_;
};

/// The delivery for a target's Mode.
std::unique_ptr<SplitDelivery> make_delivery(const DeliveryContext& ctx);

/// The kinds: local_delivery.cc, and rclone_delivery.cc (spooled or streamed).
std::unique_ptr<SplitDelivery> make_local_delivery(const DeliveryContext& ctx);
std::unique_ptr<SplitDelivery> make_rclone_delivery(const DeliveryContext& ctx);

}  // namespace pushcap::push
