#pragma once
// The one blocking queue between pushcap's threads (reader -> target, target -> closer, target
// -> script pool, target -> uploader): producers push, consumers pop, and the queue knows how
// much work is queued or in progress, so a producer can be held back by a bound (bytes waiting
// for fsync, scripts waiting to run) and anyone can wait until everything handed over is done.
//
//   push(item, weight)  blocks while queued + in-progress weight would pass the capacity
//   pop()               blocks for the oldest item; it stays "in progress" until done(weight)
//   close()             no more pushes: pop() drains what is queued, then returns nothing
//   cancel()            pop() returns nothing at once (what is queued stays, for drain())
//
// Thread-safe; every wait is on one condition variable, woken on every change.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

namespace pushcap {

template <class T>
class WorkQueue {
 public:
  /// What pop() hands out: the item and the weight it was pushed with.
  struct Taken {
    T item;
    std::uint64_t weight = 1;
  };

  /// `capacity`: the weight that may be queued or in progress before push() blocks.
  explicit WorkQueue(std::uint64_t capacity = std::numeric_limits<std::uint64_t>::max()) : capacity_(capacity) {}
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  /// Queues `item`; blocks while the queue is over its capacity (an item heavier than the
  /// capacity goes through once nothing else is queued or in progress). Returns false, and drops
  /// the item, once the queue is closed or cancelled.
  bool push(T item, std::uint64_t weight = 1) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || load_ == 0 || load_ + weight <= capacity_; });
    if (closed_) return false;
    load_ += weight;
    ++count_;
    queue_.push_back({std::move(item), weight});
    changed_.notify_all();
    return true;
  }

  /// Takes the oldest item, waiting for one; nothing once the queue is closed and empty, or
  /// cancelled. The caller calls done(taken.weight) when it has finished with it.
  std::optional<Taken> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || closed_ || !queue_.empty(); });
    if (cancelled_ || queue_.empty()) return std::nullopt;
    Taken taken = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return taken;
  }

  /// The item taken with this weight is finished: it no longer counts against the capacity.
  void done(std::uint64_t weight) {
    std::lock_guard lock(mutex_);
    load_ -= weight;
    --count_;
    changed_.notify_all();
  }

  /// No more items: pushes fail, pop() drains the queue and then returns nothing.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  /// Stops consumers now: pop() returns nothing, wait_cancelled_for() returns true.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    closed_ = true;
    changed_.notify_all();
  }

  /// Waits until nothing is queued or in progress.
  void wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ == 0; });
  }

  /// Waits up to `limit` for the queue to become idle; true when it is.
  template <class Rep, class Period>
  bool wait_idle_for(std::chrono::duration<Rep, Period> limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return count_ == 0; });
  }

  /// Sleeps up to `limit`, waking early when the queue is cancelled; true when cancelled.
  template <class Rep, class Period>
  bool wait_cancelled_for(std::chrono::duration<Rep, Period> limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return cancelled_; });
  }

  /// Items queued or in progress.
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

  /// Removes and returns what is still queued (not what is in progress).
  std::deque<Taken> drain() {
    std::lock_guard lock(mutex_);
    std::deque<Taken> out;
    out.swap(queue_);
    for (const auto& t : out) {
      load_ -= t.weight;
      --count_;
    }
    changed_.notify_all();
    return out;
  }

 private:
  const std::uint64_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Taken> queue_;
  std::uint64_t load_ = 0;  // weight queued or in progress
  std::size_t count_ = 0;   // items queued or in progress
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace pushcap
