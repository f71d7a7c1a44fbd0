#include "push/engine.h"

#include <unistd.h>

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/batch.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "hooks/script_pool.h"
#include "push/closer.h"
#include "push/status_reporter.h"
#include "push/target.h"

namespace pushcap::push {

bool RunReport::ok() const {
  if (signal != 0 || !source.errors.empty() || !setup_error.empty()) return false;
  for (const auto& t : targets) {
    if (t.failed || t.splits_failed != 0) return false;
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

RunReport Engine::run(const std::vector<capture::Input>& inputs) {
  capture::FileSource source(inputs, pool_);
  return run(source);
}

void Engine::note(const std::string& text) const {
  if (main_log_) main_log_->line(text);
  if (options_.echo_stderr) std::fprintf(stderr, "pushcap: %s\n", text.c_str());
}

Result<std::optional<ResumePoint>> Engine::resume_target(Target& target, const capture::Source& source) {
  const std::string& desc = target.config().desc;
  auto file = CheckpointFile::open(options_.state_dir, desc);
  if (!file) return fail(file.error());
  auto last = file->load();
  if (!last) return fail(last.error());
  std::optional<ResumePoint> at;
  if (*last) {
    auto done = complete_publication(**last);
    if (!done) return fail(done.error().context("target '" + desc + "'"));
    if (!done->empty()) note(fmt::format("target '{}': {}", desc, *done));
    for (const auto& path : target.remove_stale_pending()) {
      note(fmt::format("target '{}': removed {}, a split the previous run left open; it is rebuilt whole", desc, path));
    }
    at = (*last)->resume;
    note(fmt::format("target '{}': checkpoint {}: resumes at {} (records from byte {} on)", desc, file->path(),
                     at->input, at->skip_below));
  }
  target.use_checkpoints(std::move(*file), &source, *last);
  return at;
}

RunReport Engine::run(capture::Source& source) {
  RunReport report;
  const std::int64_t started = mono_ns();
  // SIGINT and SIGTERM go to this (the reader's) thread only, so a blocking read of stdin is
  // interrupted; every thread started below inherits the blocked mask.
  sigset_t stop_signals;
  sigset_t previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  Closer closer(options_.max_unsynced);
  hooks::ScriptLimits script_limits;
  script_limits.workers = static_cast<unsigned>(config_.script_workers);
  script_limits.time_limit = std::chrono::seconds(config_.script_timeout);
  hooks::ScriptPool scripts(script_limits);

  std::vector<std::unique_ptr<Target>> targets;
  std::optional<ResumePoint> earliest;  // where the source starts again, over every checkpoint
  for (std::size_t i = 0; i < config_.targets.size(); ++i) {
    TargetLogs logs;
    logs.target = target_logs_.empty() ? nullptr : target_logs_[i].get();
    logs.main = main_log_.get();
    logs.echo_stderr = options_.echo_stderr;
    targets.push_back(std::make_unique<Target>(config_.targets[i], closer, scripts, logs));
    if (!options_.state_dir.empty()) {
      auto resumed = resume_target(*targets.back(), source);
      if (!resumed) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        report.setup_error = resumed.error().message();
        if (main_log_) main_log_->line("error: " + report.setup_error);
        return report;
      }
      if (*resumed && (!earliest || source.input_before((*resumed)->input, earliest->input) ||
                       ((*resumed)->input == earliest->input && (*resumed)->seek < earliest->seek))) {
        earliest = **resumed;
      }
    }
    if (auto r = targets.back()->start(); !r) {
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
      report.setup_error = r.error().message();
      if (main_log_) main_log_->line("error: " + report.setup_error);
      return report;
    }
    if (logs.target != nullptr) {
      const auto& t = config_.targets[i];
      logs.target->line(
          fmt::format("target '{}': Path \"{}\" Split \"{}\" FileName \"{}\" SplitCmd \"{}\" FilterBPF \"{}\"", t.desc,
                      t.path, t.split, t.file_name, t.split_cmd, t.filter_bpf));
    }
  }
  if (earliest) {
    const bool ok = source.resume_at(earliest->input, earliest->seek);
    note(ok ? fmt::format("resuming from the checkpoints: reading again at {} byte {}", earliest->input, earliest->seek)
            : "warning: this source cannot resume from a checkpoint; it starts where it would without one");
  }
  if (main_log_) {
    nlohmann::ordered_json start = {{"module", "pushcap"},   {"subsystem", "event"},
                                    {"event_type", "start"}, {"timestamp", wall_ns() / 1'000'000'000},
                                    {"instance", "pushcap"}, {"config", config_.file}};
    main_log_->json(start.dump());
  }

  std::vector<std::thread> threads;
  for (auto& t : targets) threads.emplace_back([&t] { t->run(); });

  StatusReporter::Options status_options{main_log_.get(), {}, options_.progress, options_.heartbeat_seconds};
  for (const auto& log : target_logs_) status_options.target_logs.push_back(log.get());
  StatusReporter status(targets, source, status_options);

  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  capture::SourceEvents events;
  events.batch = [&](capture::BatchPtr batch) {
    for (auto& t : targets) t->post(batch);
  };
  events.watermark = [&](std::uint64_t ts) {
    for (auto& t : targets) t->post_watermark(ts);
  };
  events.error = [&](const Error& error) {
    // Said when it happens, not only in the summary: a long run may have hours to go.
    if (main_log_) main_log_->line("input error: " + error.message() + " (the next input follows)");
    if (options_.echo_stderr) std::fprintf(stderr, "pushcap: input error: %s\n", error.message().c_str());
  };
  events.notice = [&](const std::string& text) {
    if (main_log_) main_log_->line(text);
    if (options_.echo_stderr) std::fprintf(stderr, "pushcap: %s\n", text.c_str());
  };
  report.source = source.run(events);
  for (auto& t : targets) t->post_end();
  for (auto& th : threads) th.join();
  closer.finish();
  // Uploads are retried until they succeed; a signal leaves the rest in the spool.
  for (auto& t : targets) t->finish_uploads([] { return interrupt_count().load() > 0; });
  scripts.finish();
  status.stop();

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
    if (s.decap_active) {
      std::string removed;
      for (const auto& [name, n] : decap_removed(s.decap))
        removed += fmt::format("{}{} {}", removed.empty() ? "" : ", ", name, n);
      if (!removed.empty()) out += fmt::format("    decap removed (packets per layer): {}\n", removed);
      for (const auto& [name, n] : decap_problems(s.decap)) {
        out += fmt::format("    {} passed as far as they decoded: {}\n", n, name);
      }
    }
    if (s.pipe_failures != 0) out += fmt::format("    {} splits FAILED in their PipeCmd (kept raw)\n", s.pipe_failures);
    if (s.scripts != 0 || s.script_failures != 0) {
      out += fmt::format("    scripts: {} run, {} failed\n", s.scripts, s.script_failures);
    }
    if (s.rclone) {
      out += fmt::format(
          "    uploads: {} done, {} failed attempts retried, {} still in the spool ({} bytes){}\n", s.uploads,
          s.upload_retries, s.upload_pending, s.spool_bytes,
          s.spool_waits != 0 ? fmt::format("; the reader waited {} times for spool room", s.spool_waits) : "");
      if (!s.upload_error.empty()) out += fmt::format("    last upload error: {}\n", s.upload_error);
    }
    if (s.failed) out += fmt::format("    error: {}\n", s.failure);
  }
  for (const auto& e : report.source.errors) out += fmt::format("  input error: {}\n", e.message());
  if (!report.setup_error.empty()) out += fmt::format("  error: {}\n", report.setup_error);
  for (const auto& s : report.source.skipped) out += fmt::format("  skipped (not a pcap or pcapng file): {}\n", s);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace pushcap::push
