#include "push/target_stats.h"

#include <iterator>

namespace pushcap::push {
namespace {

struct ReasonText {
  const char* name;
  const char* text;
};

// Indexed by DropReason.
constexpr ReasonText kReasons[] = {
    {"ts_unrepresentable", "timestamp not representable in classic pcap (after 2106)"},
    {"filter_linktype", "FilterBPF does not apply to the packet's link type"},
    {"write_failed", "the split could not be written or made durable"},
    {"interrupted", "interrupted by a second signal before being written"},
    {"pipe_failed", "its split's PipeCmd failed (the raw split was kept, not published)"},
    {"upload_failed", "its streamed split could not be completed on the remote"},
};
static_assert(std::size(kReasons) == static_cast<std::size_t>(DropReason::kCount));

}  // namespace

const char* drop_reason_name(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].name;
}

const char* drop_reason_text(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].text;
}

std::vector<std::pair<std::string, std::uint64_t>> decap_removed(const decap::DecapCounters& c) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t l = 0; l < decap::kLayerCount; ++l) {
    if (c.removed[l] != 0) out.emplace_back(decap::layer_name(static_cast<decap::Layer>(l)), c.removed[l]);
  }
  if (c.keyframes != 0) out.emplace_back("a7150_keyframes", c.keyframes);
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> decap_problems(const decap::DecapCounters& c) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t l = 0; l < decap::kLayerCount; ++l) {
    for (std::size_t p = 0; p < decap::kProblemCount; ++p) {
      const std::uint64_t n = c.problems[l * decap::kProblemCount + p];
      if (n == 0) continue;
      out.emplace_back(std::string(decap::layer_name(static_cast<decap::Layer>(l))) + "_" +
                           decap::problem_name(static_cast<decap::Problem>(p)),
                       n);
    }
  }
  return out;
}

void TargetCounters::add(const BatchTally& t) {
  seen_.fetch_add(t.seen, std::memory_order_relaxed);
  filtered_.fetch_add(t.filtered, std::memory_order_relaxed);
  accepted_.fetch_add(t.accepted, std::memory_order_relaxed);
  accepted_bytes_.fetch_add(t.accepted_bytes, std::memory_order_relaxed);
  if (t.accepted != 0) last_ts_.store(t.last_ts, std::memory_order_relaxed);
  for (std::size_t i = 0; i < t.dropped.size(); ++i) {
    if (t.dropped[i] != 0) dropped_[i].fetch_add(t.dropped[i], std::memory_order_relaxed);
  }
}

void TargetCounters::drop(DropReason reason, std::uint64_t packets) {
  dropped_[static_cast<std::size_t>(reason)].fetch_add(packets, std::memory_order_relaxed);
}

void TargetCounters::lost_split(std::uint64_t packets, DropReason reason) {
  splits_failed_.fetch_add(1, std::memory_order_relaxed);
  drop(reason, packets);
}

void TargetCounters::published_split(std::uint64_t packets, std::uint64_t file_bytes) {
  published_.fetch_add(packets, std::memory_order_relaxed);
  published_bytes_.fetch_add(file_bytes, std::memory_order_relaxed);
  splits_.fetch_add(1, std::memory_order_relaxed);
}

void TargetCounters::progress(std::uint64_t ts) {
  // One writer (the target thread) raises it; readers only load.
  if (ts > progress_ts_.load(std::memory_order_relaxed)) progress_ts_.store(ts, std::memory_order_relaxed);
}

void TargetCounters::resume_skipped(std::uint64_t records) {
  resume_skipped_.fetch_add(records, std::memory_order_relaxed);
}

void TargetCounters::scripts_done(std::uint64_t runs, std::uint64_t failures) {
  scripts_run_.fetch_add(runs, std::memory_order_relaxed);
  script_failures_.fetch_add(failures, std::memory_order_relaxed);
}

void TargetCounters::set_decap(const decap::DecapCounters& counters, bool active) {
  std::lock_guard lock(mutex_);
  decap_ = counters;
  decap_active_ = active;
}

void TargetCounters::fail(const std::string& message) {
  {
    std::lock_guard lock(mutex_);
    if (failure_.empty()) failure_ = message;
  }
  failed_.store(true, std::memory_order_release);
}

void TargetCounters::fill(TargetStats& s) const {
  const auto get = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };
  s.seen = get(seen_);
  s.filtered = get(filtered_);
  s.accepted = get(accepted_);
  s.accepted_bytes = get(accepted_bytes_);
  s.published = get(published_);
  s.published_bytes = get(published_bytes_);
  s.splits = get(splits_);
  s.splits_failed = get(splits_failed_);
  s.last_ts = get(last_ts_);
  s.progress_ts = get(progress_ts_);
  s.resume_skipped = get(resume_skipped_);
  for (std::size_t i = 0; i < s.dropped.size(); ++i) s.dropped[i] = dropped_[i].load(std::memory_order_relaxed);
  s.pipe_failures = get(pipe_failures_);
  s.script_failures = get(script_failures_);
  s.scripts = get(scripts_run_);
  s.uploads = get(uploads_);
  s.upload_retries = get(upload_retries_);
  s.spool_waits = get(spool_waits_);
  std::lock_guard lock(mutex_);
  s.decap_active = decap_active_;
  s.decap = decap_;
  s.failure = failure_;
  s.failed = !failure_.empty();
}

}  // namespace pushcap::push
