#include "live/retention_thread.h"

#include <fmt/format.h>

#include "core/clock.h"

namespace pushcap::live {

RetentionThread::RetentionThread(std::string store, store::RetentionLimits limits, int period_s,
                                 std::function<void(const std::string&)> log)
    : store_(std::move(store)), limits_(limits), period_(period_s), log_(std::move(log)) {
  if (limits_.max_bytes != 0 || limits_.max_age_ns != 0) thread_ = std::thread([this] { loop(); });
}

RetentionThread::~RetentionThread() {
  stop();
}

void RetentionThread::stop() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionThread::loop() {
  std::unique_lock lock(mutex_);
  while (!done_) {
    lock.unlock();
    pass();
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(period_), [&] { return done_; });
  }
}

void RetentionThread::pass() {
  auto pass = store::apply_retention(store_, limits_, static_cast<std::uint64_t>(wall_ns()));
  if (!pass) {
    log_("retention error: " + pass.error().message());
    return;
  }
  for (const auto& d : pass->deleted) {
    log_(fmt::format("retention: deleted {}/seg {} ({} bytes, packets {} .. {}) for the {} limit", d.stream, d.seq,
                     d.bytes, ns_text(d.first_ts), ns_text(d.last_ts), d.for_age ? "age" : "size"));
  }
  for (const auto& s : pass->removed_streams) log_("retention: removed the empty stream " + s);
}

}  // namespace pushcap::live
