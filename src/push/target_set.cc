#include "push/target_set.h"

#include <algorithm>

namespace pushcap::push {

TargetSet::~TargetSet() {
  end_all();
}

void TargetSet::add(std::unique_ptr<Target> target) {
  Running r;
  r.target = std::move(target);
  Target* t = r.target.get();
  r.thread = std::thread([t] { t->run(); });
  std::lock_guard lock(mutex_);
  running_.push_back(std::move(r));
}

bool TargetSet::retire(const std::string& desc, Closer& closer, const std::function<bool()>& give_up) {
  Running r;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(running_.begin(), running_.end(),
                           [&](const Running& x) { return x.target->config().desc == desc; });
    if (it == running_.end()) return false;
    r = std::move(*it);
    running_.erase(it);
  }
  // No batch reaches it any more: it finalises what it holds.
  r.target->post_end();
  r.thread.join();
  closer.wait_idle();
  r.target->finish_uploads(give_up);
  r.target->release_checkpoint();
  retired_.emplace_back(desc, r.target->stats());
  graveyard_.push_back(std::move(r.target));
  return true;
}

void TargetSet::post(const capture::BatchPtr& batch) {
  std::lock_guard lock(mutex_);
  for (auto& r : running_) r.target->post(batch);
}

void TargetSet::post_watermark(std::uint64_t ts) {
  std::lock_guard lock(mutex_);
  for (auto& r : running_) r.target->post_watermark(ts);
}

void TargetSet::end_all() {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  ended_ = true;
  for (auto& r : running_) r.target->post_end();
  for (auto& r : running_) {
    if (r.thread.joinable()) r.thread.join();
  }
}

void TargetSet::finish_uploads(const std::function<bool()>& give_up) {
  for (auto& r : running_) r.target->finish_uploads(give_up);
}

void TargetSet::for_each(const std::function<void(Target&)>& f) const {
  for (const auto& r : running_) f(*r.target);
}

Target* TargetSet::find(const std::string& desc) const {
  for (const auto& r : running_) {
    if (r.target->config().desc == desc) return r.target.get();
  }
  return nullptr;
}

std::vector<std::pair<std::string, TargetStats>> TargetSet::final_stats() const {
  std::vector<std::pair<std::string, TargetStats>> out = retired_;
  for (const auto& r : running_) out.emplace_back(r.target->config().desc, r.target->stats());
  return out;
}

}  // namespace pushcap::push
