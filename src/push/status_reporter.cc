#include "push/status_reporter.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/interrupt.h"

namespace pushcap::push {
namespace {

std::string human_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.0f} B", b);
}

}  // namespace

std::string status_json(const config::TargetConfig& cfg, const TargetStats& s, double mbps) {
  nlohmann::ordered_json dropped = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < s.dropped.size(); ++i)
    dropped[drop_reason_name(static_cast<DropReason>(i))] = s.dropped[i];
  nlohmann::ordered_json j = {{"module", "pushcap"},
                              {"subsystem", "status"},
                              {"timestamp", wall_ns() / 1'000'000'000},
                              {"ver", PUSHCAP_VERSION},
                              {"instance", "pushcap"},
                              {"Process", cfg.desc},
                              {"IsUp", !s.failed},
                              {"Splits", s.splits},
                              {"TotalByte", s.accepted_bytes},
                              {"TotalPkt", s.accepted},
                              {"TransferMbps", static_cast<double>(static_cast<std::int64_t>(mbps * 100)) / 100},
                              {"PCAPTS", s.last_ts},
                              {"FilterBPF", cfg.filter_bpf},
                              {"FilterFrame", cfg.filter_frame},
                              {"Target", cfg.path},
                              {"Filtered", s.filtered},
                              {"Dropped", dropped}};
  if (s.decap_active) {
    nlohmann::ordered_json removed = nlohmann::ordered_json::object();
    for (const auto& [name, n] : decap_removed(s.decap)) removed[name] = n;
    nlohmann::ordered_json passed = nlohmann::ordered_json::object();
    for (const auto& [name, n] : decap_problems(s.decap)) passed[name] = n;
    j["Decap"] = {{"Removed", removed}, {"PassedAsDecoded", passed}};
  }
  if (s.pipe_failures != 0) j["PipeFailures"] = s.pipe_failures;
  if (s.scripts != 0 || s.script_failures != 0) j["Scripts"] = {{"Run", s.scripts}, {"Failed", s.script_failures}};
  if (s.rclone) {
    j["Upload"] = {{"Done", s.uploads},           {"Pending", s.upload_pending}, {"Retries", s.upload_retries},
                   {"SpoolBytes", s.spool_bytes}, {"SpoolWaits", s.spool_waits}, {"LastError", s.upload_error}};
  }
  return j.dump();
}

StatusReporter::StatusReporter(const std::vector<std::unique_ptr<Target>>& targets, const capture::Source& source,
                               Options options)
    : targets_(targets),
      source_(source),
      options_(options),
      started_(mono_ns()),
      last_bytes_(targets.size(), 0),
      thread_([this] { loop(); }) {}

void StatusReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (options_.progress) std::fprintf(stderr, "\r%-70s\r", "");
}

void StatusReporter::loop() {
  std::int64_t last_json = mono_ns();
  std::int64_t last_heartbeat = 0;
  int handled_signals = 0;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [&] { return done_; })) {
    int sigs = interrupt_count().load();
    if (sigs > handled_signals) {
      handled_signals = sigs;
      if (options_.main_log != nullptr) {
        options_.main_log->line(fmt::format("signal {} received: finalising open splits", first_interrupt().load()));
      }
      if (sigs >= 2) {
        for (const auto& t : targets_) t->hurry();
      }
    }
    const std::int64_t now = mono_ns();
    if (now - last_json >= 1'000'000'000) {
      write_status(static_cast<double>(now - last_json) / 1e9);
      last_json = now;
      if (options_.progress) draw_progress(now);
    }
    if (options_.main_log != nullptr &&
        now - last_heartbeat >= std::int64_t{options_.heartbeat_seconds} * 1'000'000'000) {
      const double elapsed = static_cast<double>(now - started_) / 1e9;
      last_heartbeat = now;
      for (std::size_t i = 0; i < targets_.size(); ++i) {
        const TargetStats s = targets_[i]->stats();
        options_.main_log->line(fmt::format("push [{:<40} : reader:true split:{}]", targets_[i]->config().desc,
                                            s.failed ? "false" : "true"));
        if (i < options_.target_logs.size() && options_.target_logs[i] != nullptr) {
          options_.target_logs[i]->line(
              fmt::format("Total Bytes {} ({:.3f} GB) Packets {} Speed {:.3f} Gbps : Splits {} Filtered {} PCAPTS {}",
                          s.accepted_bytes, static_cast<double>(s.accepted_bytes) / 1e9, s.accepted,
                          elapsed > 0 ? static_cast<double>(s.accepted_bytes) * 8 / 1e9 / elapsed : 0.0, s.splits,
                          s.filtered, s.last_ts));
        }
      }
    }
  }
}

void StatusReporter::write_status(double seconds) {
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    TargetStats s = targets_[i]->stats();
    double mbps = static_cast<double>(s.accepted_bytes - last_bytes_[i]) * 8 / 1e6 / seconds;
    last_bytes_[i] = s.accepted_bytes;
    if (options_.main_log != nullptr) options_.main_log->json(status_json(targets_[i]->config(), s, mbps));
  }
}

void StatusReporter::draw_progress(std::int64_t now) {
  const std::uint64_t total = source_.total_bytes();
  const std::uint64_t done = source_.bytes_read();
  const double elapsed = static_cast<double>(now - started_) / 1e9;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::string line =
      fmt::format("pushcap: {} read, {:.2f} Gbps", human_bytes(static_cast<double>(done)), rate * 8 / 1e9);
  if (total > 0 && done <= total) {  // stdin has no known size: no percent, no ETA
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    line = fmt::format("pushcap: {:5.1f}% of {}, {:.2f} Gbps, ETA {}:{:02}",
                       100.0 * static_cast<double>(done) / static_cast<double>(total),
                       human_bytes(static_cast<double>(total)), rate * 8 / 1e9, static_cast<int>(eta) / 60,
                       static_cast<int>(eta) % 60);
  }
  std::fprintf(stderr, "\r%-70s", line.c_str());
  std::fflush(stderr);
}

}  // namespace pushcap::push
