#include "push/closer.h"

namespace pushcap::push {

Closer::Closer(std::uint64_t max_unsynced) : queue_(max_unsynced), thread_([this] { loop(); }) {}

Closer::~Closer() {
  finish();
}

void Closer::submit(ClosingSplit split) {
  const std::uint64_t bytes = split.bytes;
  queue_.push(std::move(split), bytes);
}

void Closer::finish() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void Closer::wait_idle() {
  queue_.wait_idle();
}

void Closer::loop() {
  while (auto taken = queue_.pop()) {
    publish(taken->item);
    queue_.done(taken->weight);
  }
}

void Closer::publish(ClosingSplit& split) {
  Result<std::string> result = std::string();
  bool recorded = false;
  if (split.prepare) {
    // Durable before anything (a spool record, a checkpoint) says it is published.
    if (auto r = split.file.sync(); !r) {
      result = fail(r.error());
    } else if (auto p = split.prepare(); !p) {
      result = fail(p.error());
      recorded = p.error().code() == Errc::kNotDurable;  // in place, though perhaps not durably
    } else {
      recorded = true;
    }
  }
  if (result) result = split.file.finalize(split.name, split.owner);
  split.done(std::move(result), split.file, recorded);
}

}  // namespace pushcap::push
