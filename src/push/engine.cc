#include "push/engine.h"

#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/batch.h"
#include "config/lua_config.h"
#include "core/clock.h"
#include "core/http_server.h"
#include "core/interrupt.h"
#include "hooks/script_pool.h"
#include "push/closer.h"
#include "push/status_reporter.h"
#include "push/target.h"
#include "push/target_set.h"

namespace pushcap::push {

bool RunReport::ok() const {
  if (signal != 0 || !source.errors.empty() || !setup_error.empty() || !record_errors.empty()) return false;
  for (const auto& t : targets) {
    if (t.failed || t.splits_failed != 0) return false;
  }
  return true;
}

Result<std::unique_ptr<Engine>> Engine::create(const config::PushConfig& config, const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine(config, options));
  engine->schedule_ = config.schedule;
  if (!options.log_dir.empty()) {
    auto main = LogFile::open(options.log_dir, "pushcap");
    if (!main) return fail(main.error());
    engine->main_log_ = std::move(*main);
    for (const auto& t : config.targets) {
      auto log = LogFile::open(options.log_dir, "push_" + t.desc);
      if (!log) return fail(log.error());
      engine->target_logs_[t.desc] = std::move(*log);
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
  }
  if (*last) {
    at = (*last)->resume;
    note(fmt::format("target '{}': checkpoint {}: resumes at {} (records from byte {} on)", desc, file->path(),
                     at->input, at->skip_below));
  }
  target.use_checkpoints(std::move(*file), &source, *last);
  return at;
}

Result<std::unique_ptr<Target>> Engine::make_target(const config::TargetConfig& tc, Closer& closer,
                                                    hooks::ScriptPool& scripts, const capture::Source& source,
                                                    std::optional<ResumePoint>* resumed) {
  TargetLogs logs;
  if (!options_.log_dir.empty()) {
    auto& log = target_logs_[tc.desc];
    if (!log) {
      auto opened = LogFile::open(options_.log_dir, "push_" + tc.desc);
      if (!opened) return fail(opened.error());
      log = std::move(*opened);
    }
    logs.target = log.get();
  }
  logs.main = main_log_.get();
  logs.echo_stderr = options_.echo_stderr;
  auto target = std::make_unique<Target>(tc, closer, scripts, logs);
  if (!options_.state_dir.empty()) {
    auto at = resume_target(*target, source);
    if (!at) return fail(at.error());
    if (resumed != nullptr) *resumed = *at;
  }
  // The .pending files of runs that died (no live process holds them) go: with a checkpoint
  // (a target saves one at its first record) their splits are rebuilt whole; without, they were
  // never published and a run over the same input writes them again.
  for (const auto& path : target->remove_stale_pending()) {
    note(fmt::format("target '{}': removed {}, a split left open by a run that died; {}", tc.desc, path,
                     options_.state_dir.empty() ? "it was never published" : "it is rebuilt whole"));
  }
  if (auto r = target->start(); !r) return fail(r.error());
  if (logs.target != nullptr) {
    logs.target->line(
        fmt::format("target '{}': Path \"{}\" Split \"{}\" FileName \"{}\" SplitCmd \"{}\" FilterBPF \"{}\"", tc.desc,
                    tc.path, tc.split, tc.file_name, tc.split_cmd, tc.filter_bpf));
  }
  return target;
}

void Engine::reload(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts, const capture::Source& source) {
  note("SIGHUP: reloading " + config_.file);
  auto loaded = config::load_config(config_.file);
  if (!loaded) {
    note("reload refused, the running config stays: " + loaded.error().message());
    return;
  }
  const config::PushConfig& next = *loaded;
  for (const auto& w : next.warnings) note("warning: " + w);
  auto give_up = [] { return interrupt_count().load() > 0; };
  std::vector<std::string> kept, started, retired;
  // Removed or changed: finalise them first (a changed one restarts below with its checkpoint).
  for (const auto& old : config_.targets) {
    auto same = std::find_if(next.targets.begin(), next.targets.end(),
                             [&](const config::TargetConfig& t) { return t.desc == old.desc; });
    if (same != next.targets.end() && *same == old) {
      kept.push_back(old.desc);
      continue;
    }
    if (set.retire(old.desc, closer, give_up)) retired.push_back(old.desc);
  }
  std::vector<config::TargetConfig> running;
  for (const auto& old : config_.targets) {
    if (std::find(kept.begin(), kept.end(), old.desc) != kept.end()) running.push_back(old);
  }
  for (const auto& t : next.targets) {
    if (std::find(kept.begin(), kept.end(), t.desc) != kept.end()) continue;
    // A target new to this run starts with the packets read from now on.
    auto target = make_target(t, closer, scripts, source, nullptr);
    if (!target) {
      note(fmt::format("reload: target '{}' cannot start: {}", t.desc, target.error().message()));
      continue;
    }
    set.add(std::move(*target));
    running.push_back(t);
    started.push_back(t.desc);
  }
  auto names = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& n : v) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? std::string("none") : out;
  };
  config_.targets = running;
  config_.warnings = next.warnings;
  {
    std::lock_guard lock(schedule_mutex_);
    schedule_ = next.schedule;
  }
  if (next.script_timeout != config_.script_timeout || next.script_workers != config_.script_workers) {
    note("reload: ScriptTimeout and ScriptWorkers changes take effect at the next start");
  }
  note(fmt::format("reload done: kept running {}; finalised {}; started {}", names(kept), names(retired),
                   names(started)));
}

bool Engine::wait_for_schedule() {
  bool said = false;
  for (;;) {
    bool active = false;
    {
      std::lock_guard lock(schedule_mutex_);
      active = schedule_.active(std::time(nullptr));
      if (active && paused_) {
        paused_ = false;
        note("inside the schedule again: pushing resumes and catches up");
      } else if (!active && !paused_) {
        paused_ = true;
        said = true;
      }
    }
    if (active) return true;
    if (said) {
      note("outside the schedule: pushing pauses (the store keeps what is captured meanwhile)");
      said = false;
    }
    for (int i = 0; i < 10; ++i) {
      if (interrupt_count().load() > 0) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
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
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  Closer closer(options_.max_unsynced);
  hooks::ScriptLimits script_limits;
  script_limits.workers = static_cast<unsigned>(config_.script_workers);
  script_limits.time_limit = std::chrono::seconds(config_.script_timeout);
  hooks::ScriptPool scripts(script_limits);

  TargetSet set;
  if (auto r = start_targets(set, closer, scripts, source); !r) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    report.setup_error = r.error().message();
    if (main_log_) main_log_->line("error: " + report.setup_error);
    set.end_all();
    take_final_stats(set, report);
    return report;
  }
  if (main_log_) {
    nlohmann::ordered_json start = {{"module", "pushcap"},   {"subsystem", "event"},
                                    {"event_type", "start"}, {"timestamp", wall_ns() / 1'000'000'000},
                                    {"instance", "pushcap"}, {"config", config_.file}};
    main_log_->json(start.dump());
  }
  TextServer metrics;
  start_metrics(metrics);
  StatusReporter status(set, source, status_options(set, closer, scripts, source, metrics));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  report.source = source.run(source_events(set));
  // The end, in order: no more reloads, every target finalises its splits, the closer makes
  // them durable, uploads finish (retried until they succeed; a signal leaves the rest in the
  // spool), scripts finish, the last status.
  status.stop_reloads();
  set.end_all();
  closer.finish();
  set.finish_uploads([] { return interrupt_count().load() > 0; });
  scripts.finish();
  status.stop();
  metrics.stop();

  report.signal = interrupt_count().load() > 0 ? first_interrupt().load() : 0;
  report.seconds = static_cast<double>(mono_ns() - started) / 1e9;
  report.input_bytes = source.bytes_read();
  take_final_stats(set, report);
  if (main_log_) {
    set.for_each([&](Target& t) { main_log_->json(status_json(t.config(), t.stats(), 0)); });
    for (const auto& sk : report.source.skipped) main_log_->line("skipped (not a capture): " + sk);
    std::string summary = format_summary(report);
    main_log_->raw(summary);
    for (auto& [desc, log] : target_logs_) log->raw(summary);
  }
  // Said last, so that a summary the log could not take is counted too.
  if (main_log_) main_log_->close();
  for (auto& [desc, log] : target_logs_) log->close();
  if (!status.failure().empty()) report.record_errors.push_back(status.failure());
  if (main_log_ && !main_log_->failure().empty()) report.record_errors.push_back(main_log_->failure());
  for (auto& [desc, log] : target_logs_) {
    if (!log->failure().empty()) report.record_errors.push_back(log->failure());
  }
  return report;
}

Result<void> Engine::start_targets(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts,
                                   capture::Source& source) {
  std::optional<ResumePoint> earliest;  // where the source starts again, over every checkpoint
  for (const auto& tc : config_.targets) {
    std::optional<ResumePoint> at;
    auto target = make_target(tc, closer, scripts, source, &at);
    if (!target) return fail(target.error());
    if (at && (!earliest || source.input_before(at->input, earliest->input) ||
               (at->input == earliest->input && at->seek < earliest->seek))) {
      earliest = at;
    }
    set.add(std::move(*target));
  }
  if (earliest) {
    const bool ok = source.resume_at(earliest->input, earliest->seek);
    note(ok ? fmt::format("resuming from the checkpoints: reading again at {} byte {}", earliest->input, earliest->seek)
            : "warning: this source cannot resume from a checkpoint; it starts where it would without one");
  }
  return {};
}

void Engine::start_metrics(TextServer& metrics) {
  if (options_.metrics_port < 0) return;
  if (auto r = metrics.start(static_cast<std::uint16_t>(options_.metrics_port), "text/plain; version=0.0.4"); !r) {
    note("warning: no metrics endpoint: " + r.error().message());
  } else {
    note(fmt::format("metrics: http://127.0.0.1:{}/metrics", metrics.port()));
  }
}

StatusReporter::Options Engine::status_options(TargetSet& set, Closer& closer, hooks::ScriptPool& scripts,
                                               const capture::Source& source, TextServer& metrics) {
  StatusReporter::Options o;
  o.main_log = main_log_.get();
  o.progress = options_.progress;
  o.heartbeat_seconds = options_.heartbeat_seconds;
  o.realtime = options_.realtime;
  o.state_dir = options_.state_dir;
  o.metrics = options_.metrics_port >= 0 ? &metrics : nullptr;
  o.paused = [this] {
    std::lock_guard lock(schedule_mutex_);
    return paused_;
  };
  if (options_.realtime) {
    o.reload = [this, t = &set, c = &closer, sp = &scripts, src = &source] { reload(*t, *c, *sp, *src); };
    // A realtime push does not go on without a target: it ends, exit status 1, and its
    // supervisor starts it again; each target resumes at its checkpoint, which never moved past
    // a split that was not published, so the failed split is written again (USER_GUIDE.md,
    // "Exit status").
    o.target_failed = [this](const std::string& desc, const std::string& failure) {
      note(
          fmt::format("target '{}' failed ({}): the push stops (exit status 1) so that its supervisor starts it "
                      "again; every target resumes at its checkpoint",
                      desc, failure));
      request_stop();
    };
  }
  return o;
}

capture::SourceEvents Engine::source_events(TargetSet& set) {
  capture::SourceEvents events;
  const bool scheduled = options_.realtime;
  events.batch = [&set, this, scheduled](capture::BatchPtr batch) {
    if (scheduled && !wait_for_schedule()) return;
    set.post(batch);
  };
  events.watermark = [&set, this, scheduled](std::uint64_t ts) {
    if (scheduled && !wait_for_schedule()) return;
    // The grace: late packets (a clock step, a slow interface) still find their split open.
    set.post_watermark(ts > options_.grace_ns ? ts - options_.grace_ns : 0);
  };
  events.error = [this](const Error& error) {
    // Said when it happens, not only in the summary: a long run may have hours to go.
    if (main_log_) main_log_->line("input error: " + error.message() + " (the next input follows)");
    if (options_.echo_stderr) std::fprintf(stderr, "pushcap: input error: %s\n", error.message().c_str());
  };
  events.notice = [this](const std::string& text) { note(text); };
  return events;
}

void Engine::take_final_stats(TargetSet& set, RunReport& report) {
  for (auto& [desc, stats] : set.final_stats()) {
    report.desc.push_back(desc);
    report.targets.push_back(stats);
  }
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
    if (s.resume_skipped != 0) {
      out += fmt::format("    {} packets skipped: published by an earlier run (the target's checkpoint){}\n",
                         s.resume_skipped, s.accepted == 0 ? "; nothing new to publish" : "");
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
  for (const auto& e : report.record_errors) out += fmt::format("  not recorded: {}\n", e);
  for (const auto& s : report.source.skipped) out += fmt::format("  skipped (not a pcap or pcapng file): {}\n", s);
  for (const auto& g : report.source.gaps) out += fmt::format("  NOT PUSHED: {}\n", g);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace pushcap::push
