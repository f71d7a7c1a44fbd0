#include "push/engine.h"

#include <unistd.h>

#include <pthread.h>
#include <chrono>
#include <condition_variable>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/batch.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "push/closer.h"
#include "push/target.h"

namespace pushcap::push {

bool RunReport::ok() const {
  if (signal != 0 || !source.errors.empty()) return false;
  for (const auto& t : targets) {
    if (t.failed) return false;
  }
  return true;
}

Result<std::unique_ptr<Engine>> Engine::create(const config::PushConfig& config, const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine(config, options));
  if (!options.log_dir.empty()) {
    auto main = LogFile::open(options.log_dir, "pushcap");
    if (!main) return fail(main.error());
    engine->main_log_ = std::move(*main);
    for (const auto& t : config.targets) {
      auto log = LogFile::open(options.log_dir, "push_" + t.desc);
      if (!log) return fail(log.error());
      engine->target_logs_.push_back(std::move(*log));
    }
  }
  return engine;
}

namespace {

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
                              {"FilterFrame", ""},
                              {"Target", cfg.path},
                              {"Filtered", s.filtered},
                              {"Dropped", dropped}};
  return j.dump();
}

std::string human_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.0f} B", b);
}

}  // namespace

RunReport Engine::run(const std::vector<capture::Input>& inputs) {
  RunReport report;
  const std::int64_t started = mono_ns();
  capture::BatchPool pool(options_.batch_count, options_.batch_bytes);
  capture::FileSource source(inputs, pool);
  // SIGINT and SIGTERM go to this (the reader's) thread only, so a blocking read of stdin is
  // interrupted; every thread started below inherits the blocked mask.
  sigset_t stop_signals;
  sigset_t previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  Closer closer(options_.max_unsynced);

  std::vector<std::unique_ptr<Target>> targets;
  for (std::size_t i = 0; i < config_.targets.size(); ++i) {
    TargetLogs logs;
    logs.target = target_logs_.empty() ? nullptr : target_logs_[i].get();
    logs.main = main_log_.get();
    logs.echo_stderr = options_.echo_stderr;
    targets.push_back(std::make_unique<Target>(config_.targets[i], closer, logs));
    if (logs.target != nullptr) {
      const auto& t = config_.targets[i];
      logs.target->line(
          fmt::format("target '{}': Path \"{}\" Split \"{}\" FileName \"{}\" SplitCmd \"{}\" FilterBPF \"{}\"", t.desc,
                      t.path, t.split, t.file_name, t.split_cmd, t.filter_bpf));
    }
  }
  if (main_log_) {
    nlohmann::ordered_json start = {{"module", "pushcap"},   {"subsystem", "event"},
                                    {"event_type", "start"}, {"timestamp", wall_ns() / 1'000'000'000},
                                    {"instance", "pushcap"}, {"config", config_.file}};
    main_log_->json(start.dump());
  }

  std::vector<std::thread> threads;
  for (auto& t : targets) threads.emplace_back([&t] { t->run(); });

  // Status: JSON lines each second, heartbeats, progress, and signal handling.
  std::mutex status_mutex;
  std::condition_variable status_cv;
  bool status_done = false;
  std::thread status([&] {
    std::vector<std::uint64_t> last_bytes(targets.size(), 0);
    std::int64_t last_json = mono_ns();
    std::int64_t last_heartbeat = 0;
    int handled_signals = 0;
    std::unique_lock lock(status_mutex);
    for (;;) {
      status_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return status_done; });
      int sigs = interrupt_count().load();
      if (sigs > handled_signals) {
        handled_signals = sigs;
        if (main_log_)
          main_log_->line(fmt::format("signal {} received: finalising open splits", first_interrupt().load()));
        if (sigs >= 2) {
          for (auto& t : targets) t->hurry();
        }
      }
      if (status_done) break;
      std::int64_t now = mono_ns();
      if (now - last_json >= 1'000'000'000) {
        double secs = static_cast<double>(now - last_json) / 1e9;
        last_json = now;
        for (std::size_t i = 0; i < targets.size(); ++i) {
          TargetStats s = targets[i]->stats();
          double mbps = static_cast<double>(s.accepted_bytes - last_bytes[i]) * 8 / 1e6 / secs;
          last_bytes[i] = s.accepted_bytes;
          if (main_log_) main_log_->json(status_json(targets[i]->config(), s, mbps));
        }
        if (options_.progress) {
          std::uint64_t total = source.total_bytes();
          std::uint64_t done = source.bytes_read();
          double elapsed = static_cast<double>(now - started) / 1e9;
          double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
          std::string line =
              fmt::format("pushcap: {} read, {:.2f} Gbps", human_bytes(static_cast<double>(done)), rate * 8 / 1e9);
          if (total > 0 && done <= total) {
            double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
            line = fmt::format("pushcap: {:5.1f}% of {}, {:.2f} Gbps, ETA {}:{:02}",
                               100.0 * static_cast<double>(done) / static_cast<double>(total),
                               human_bytes(static_cast<double>(total)), rate * 8 / 1e9, static_cast<int>(eta) / 60,
                               static_cast<int>(eta) % 60);
          }
          std::fprintf(stderr, "\r%-70s", line.c_str());
          std::fflush(stderr);
        }
      }
      if (main_log_ && now - last_heartbeat >= std::int64_t{options_.heartbeat_seconds} * 1'000'000'000) {
        last_heartbeat = now;
        for (auto& t : targets) {
          TargetStats s = t->stats();
          main_log_->line(
              fmt::format("push [{:<40} : reader:true split:{}]", t->config().desc, s.failed ? "false" : "true"));
        }
      }
    }
  });

  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  report.source = source.run([&](capture::BatchPtr batch) {
    for (auto& t : targets) t->post(batch);
  });
  for (auto& t : targets) t->post_end();
  for (auto& th : threads) th.join();
  closer.finish();
  {
    std::lock_guard lock(status_mutex);
    status_done = true;
  }
  status_cv.notify_all();
  status.join();
  if (options_.progress) std::fprintf(stderr, "\r%-70s\r", "");

  report.signal = interrupt_count().load() > 0 ? first_interrupt().load() : 0;
  report.seconds = static_cast<double>(mono_ns() - started) / 1e9;
  report.input_bytes = source.bytes_read();
  for (auto& t : targets) {
    report.desc.push_back(t->config().desc);
    report.targets.push_back(t->stats());
  }
  if (main_log_) {
    for (std::size_t i = 0; i < targets.size(); ++i)
      main_log_->json(status_json(targets[i]->config(), report.targets[i], 0));
    for (const auto& e : report.source.errors) main_log_->line("input error: " + e.message());
    for (const auto& s : report.source.skipped) main_log_->line("skipped (not a capture): " + s);
    std::string summary = format_summary(report);
    main_log_->raw(summary);
    for (std::size_t i = 0; i < targets.size() && i < target_logs_.size(); ++i) target_logs_[i]->raw(summary);
  }
  return report;
}

std::string format_summary(const RunReport& report) {
  std::string out;
  double gbps = report.seconds > 0 ? static_cast<double>(report.input_bytes) * 8 / 1e9 / report.seconds : 0;
  out += fmt::format("pushcap: read {} packets, {} bytes in {:.3f} s ({:.2f} Gbps){}\n", report.source.packets,
                     report.input_bytes, report.seconds, gbps,
                     report.signal != 0 ? fmt::format(" -- INTERRUPTED by signal {} ({}); open splits were finalised",
                                                      report.signal, strsignal(report.signal))
                                        : "");
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    const TargetStats& s = report.targets[i];
    std::uint64_t not_written = 0;
    for (auto d : s.dropped) not_written += d;
    out += fmt::format("  target '{}': {} files, {} packets, {} bytes written; {} filtered out; {} not written{}\n",
                       report.desc[i], s.splits, s.published, s.published_bytes, s.filtered, not_written,
                       s.splits_failed != 0 ? fmt::format("; {} splits FAILED", s.splits_failed) : "");
    for (std::size_t r = 0; r < s.dropped.size(); ++r) {
      if (s.dropped[r] != 0) {
        out += fmt::format("    {} not written: {} ({})\n", s.dropped[r], drop_reason_text(static_cast<DropReason>(r)),
                           drop_reason_name(static_cast<DropReason>(r)));
      }
    }
    if (s.failed) out += fmt::format("    error: {}\n", s.failure);
  }
  for (const auto& e : report.source.errors) out += fmt::format("  input error: {}\n", e.message());
  for (const auto& s : report.source.skipped) out += fmt::format("  skipped (not a pcap or pcapng file): {}\n", s);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace pushcap::push
