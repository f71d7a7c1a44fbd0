#pragma once
// The targets an engine runs. The reader posts every batch and watermark to all of them; a
// config reload adds new ones and retires removed ones without stopping the others. Targets
// retired, and those at the end of the run, keep their final counters for the summary.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capture/batch.h"
#include "push/target.h"

namespace pushcap::push {

/// The running targets; post*() from the reader thread, the rest from the control thread.
class TargetSet {
 public:
  TargetSet() = default;
  ~TargetSet();
  TargetSet(const TargetSet&) = delete;
  TargetSet& operator=(const TargetSet&) = delete;

  /// Starts the thread of a started target; from now on it gets every batch.
  void add(std::unique_ptr<Target> target);
  /// Stops posting to the target named `desc`, lets it finalise its open splits, waits until
  /// `closer` has published them and for its uploads until `give_up()`, then releases its
  /// checkpoint. It stays in memory (scripts may still report to it) until the set goes.
  /// False when there is no such target.
  bool retire(const std::string& desc, Closer& closer, const std::function<bool()>& give_up);

  void post(const capture::BatchPtr& batch);
  void post_watermark(std::uint64_t ts);
  /// End of input: every target finalises, its thread is joined.
  void end_all();
  /// After end_all(): waits for every target's uploads.
  void finish_uploads(const std::function<bool()>& give_up);

  /// Calls f on each running target (control thread, or under no concurrent add/retire).
  void for_each(const std::function<void(Target&)>& f) const;
  /// The running target named `desc`, or nullptr.
  [[nodiscard]] Target* find(const std::string& desc) const;
  /// Final (desc, counters) of every target the run had: retired ones, then running ones.
  [[nodiscard]] std::vector<std::pair<std::string, TargetStats>> final_stats() const;

 private:
  struct Running {
    std::unique_ptr<Target> target;
    std::thread thread;
  };
  mutable std::mutex mutex_;  // guards running_ against the reader's posts
  std::vector<Running> running_;
  std::vector<std::pair<std::string, TargetStats>> retired_;
  std::vector<std::unique_ptr<Target>> graveyard_;  // retired, kept until the end of the run
  bool ended_ = false;
};

}  // namespace pushcap::push
