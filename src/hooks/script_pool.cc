#include "hooks/script_pool.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/subprocess.h"

namespace pushcap::hooks {
namespace {

// Splits a script's output into lines for the log, up to a byte budget.
class OutputLines {
 public:
  OutputLines(const std::function<void(const std::string&)>& log, std::size_t budget) : log_(log), budget_(budget) {}
  void add(std::string_view chunk) {
    for (char c : chunk) {
      if (logged_ >= budget_) {
        ++dropped_;
        continue;
      }
      ++logged_;
      if (c == '\n') {
        emit();
      } else {
        line_ += c;
      }
    }
  }
  void end() {
    if (!line_.empty()) emit();
    if (dropped_ != 0 && log_) log_(fmt::format("  ... {} more bytes of output not logged", dropped_));
  }

 private:
  void emit() {
    if (log_) log_("  " + line_);
    line_.clear();
  }
  const std::function<void(const std::string&)>& log_;
  std::size_t budget_;
  std::size_t logged_ = 0;
  std::uint64_t dropped_ = 0;
  std::string line_;
};

}  // namespace

ScriptPool::ScriptPool(ScriptLimits limits)
    : limits_(limits), queue_(std::uint64_t{limits.max_queue} + std::max(1u, limits.workers)) {
  for (unsigned i = 0; i < std::max(1u, limits_.workers); ++i) workers_.emplace_back([this] { work(); });
}

ScriptPool::~ScriptPool() {
  finish();
}

void ScriptPool::submit(ScriptJob job) {
  queue_.push(std::move(job));
}

void ScriptPool::finish() {
  queue_.close();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

void ScriptPool::work() {
  while (auto taken = queue_.pop()) {
    ScriptJob& job = taken->item;
    unsigned failures = 0;
    for (const auto& run : job.runs) {
      if (!run_one(run, job.log)) ++failures;
    }
    if (job.done) job.done(failures);
    queue_.done(taken->weight);
  }
}

bool ScriptPool::run_one(const ScriptRun& run, const std::function<void(const std::string&)>& log) {
  runs_.fetch_add(1);
  std::string shown = run.command;
  for (const auto& a : run.args) shown += " " + a;
  if (log) log(fmt::format("Script [{}]", shown));
  SpawnOptions o;
  o.argv = {"sh", "-c", run.command + " \"$@\"", "pushcap-script"};
  o.argv.insert(o.argv.end(), run.args.begin(), run.args.end());
  o.env_set = run.env;
  const std::int64_t started = mono_ns();
  auto child = Child::spawn(o);
  if (!child) {
    failures_.fetch_add(1);
    if (log) log(fmt::format("{} FAILED: {}", run.kind, child.error().message()));
    return false;
  }
  OutputLines lines(log, limits_.max_logged_output);
  ExitStatus status = child->wait(limits_.time_limit, [&](std::string_view chunk) { lines.add(chunk); });
  lines.end();
  double secs = static_cast<double>(mono_ns() - started) / 1e9;
  if (status.ok()) {
    if (log) log(fmt::format("{} done in {:.3f} s", run.kind, secs));
    return true;
  }
  failures_.fetch_add(1);
  if (log) {
    log(fmt::format("{} FAILED ({}{}) after {:.3f} s: {}", run.kind, status.describe(),
                    status.timed_out ? fmt::format(" of {} s", limits_.time_limit.count() / 1000) : "", secs, shown));
  }
  return false;
}

}  // namespace pushcap::hooks
