#include "push/closer.h"

namespace pushcap::push {

Closer::Closer(std::uint64_t max_unsynced) : max_unsynced_(max_unsynced), thread_([this] { loop(); }) {}

Closer::~Closer() {
  finish();
}

void Closer::submit(ClosingSplit split) {
  std::unique_lock lock(mutex_);
  // One split larger than the bound still goes through once the queue is empty.
  changed_.wait(lock, [&] { return unsynced_ == 0 || unsynced_ + split.bytes <= max_unsynced_; });
  unsynced_ += split.bytes;
  queue_.push_back(std::move(split));
  changed_.notify_all();
}

void Closer::finish() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Closer::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void Closer::loop() {
  for (;;) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    ClosingSplit split = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Result<std::string> result = std::string();
    if (split.prepare) {
      // Durable before anything (a spool record, a checkpoint) says it is published.
      if (auto r = split.file.sync(); !r) {
        result = fail(r.error());
      } else if (auto p = split.prepare(); !p) {
        result = fail(p.error());
      }
    }
    if (result) result = split.file.finalize(split.name, split.owner);
    split.done(std::move(result), split.file);
    lock.lock();
    unsynced_ -= split.bytes;
    busy_ = false;
    changed_.notify_all();
  }
}

}  // namespace pushcap::push
