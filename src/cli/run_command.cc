#include <unistd.h>

#include <csignal>
#include <cstdio>

#include <sys/stat.h>

#include <functional>
#include <memory>
#include <tuple>

#include "capture/file_source.h"
#include "capture/follow_source.h"
#include "capture/input_list.h"
#include "cli/commands.h"
#include "cli/time_arg.h"
#include "config/lua_config.h"
#include "core/interrupt.h"
#include "push/engine.h"
#include "store/store_source.h"

namespace pushcap::cli {
namespace {

void on_signal(int sig) {
  note_interrupt(sig);
}

void on_hangup(int) {
  reload_requests().fetch_add(1);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a read of a quiet stdin must return to see the stop
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void install_reload_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_hangup;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &sa, nullptr);
}

// Creates the engine, makes the source over its batch pool, runs, prints the summary. A realtime
// push ends by a signal: SIGTERM and SIGINT are its normal end.
int run_source(const config::PushConfig& cfg, const push::EngineOptions& eo,
               const std::function<std::unique_ptr<capture::Source>(capture::BatchPool&)>& make_source) {
  auto engine = push::Engine::create(cfg, eo);
  if (!engine) {
    // The arguments were good; the logs could not be opened (a full or failing disk).
    std::fprintf(stderr, "pushcap: %s\n", engine.error().message().c_str());
    return kExitRunErrors;
  }
  install_signal_handlers();
  if (eo.realtime) install_reload_handler();
  std::unique_ptr<capture::Source> source = make_source((*engine)->pool());
  push::RunReport report = (*engine)->run(*source);
  std::fprintf(stderr, "%s\n", push::format_summary(report).c_str());
  if (eo.realtime && (report.signal == SIGTERM || report.signal == SIGINT)) {
    report.signal = 0;
    report.source.interrupted = false;
  }
  if (report.signal != 0) return 128 + report.signal;
  return report.ok() ? kExitOk : kExitRunErrors;
}

// Realtime push settings shared by --store and --follow.
void set_realtime(push::EngineOptions& eo, const RunOptions& options) {
  eo.progress = false;
  eo.realtime = true;
  eo.state_dir = options.state_dir.empty() ? "pushcap-state" : options.state_dir;
  eo.metrics_port = options.metrics_port;
  eo.grace_ns = static_cast<std::uint64_t>(options.grace_seconds * 1e9);
}

int run_files(const config::PushConfig& cfg, const std::vector<std::string>& input_args,
              const push::EngineOptions& eo) {
  auto inputs = capture::expand_inputs(input_args);
  if (!inputs) {
    std::fprintf(stderr, "pushcap: %s\n", inputs.error().message().c_str());
    return kExitUsage;
  }
  return run_source(cfg, eo,
                    [&](capture::BatchPool& pool) { return std::make_unique<capture::FileSource>(*inputs, pool); });
}

int run_store(const config::PushConfig& cfg, const RunOptions& options, push::EngineOptions eo) {
  using Start = store::StoreSourceOptions::Start;
  store::StoreSourceOptions so;
  so.store_dir = options.store;
  so.capture = options.capture;
  so.start = cfg.follow_start ? Start::kStreamStart : Start::kNow;
  if (options.inputs.size() > 1) {
    std::fprintf(stderr, "pushcap: with --store, --offline takes one stream name\n");
    return kExitUsage;
  }
  if (!options.inputs.empty()) {
    if (!options.from.empty() || !options.to.empty()) {
      std::fprintf(stderr, "pushcap: --offline STREAM and --from/--to do not go together\n");
      return kExitUsage;
    }
    so.start = Start::kOffline;
    so.offline_stream = options.inputs.front();
  }
  if (!options.from.empty() || !options.to.empty()) {
    so.start = Start::kRange;
    for (auto [text, out, flag] :
         {std::tuple{&options.from, &so.from_ns, "--from"}, {&options.to, &so.to_ns, "--to"}}) {
      if (text->empty()) continue;
      auto t = parse_time_arg(*text);
      if (!t) {
        std::fprintf(stderr, "pushcap: %s: %s\n", flag, t.error().message().c_str());
        return kExitUsage;
      }
      *out = *t;
    }
    if (so.from_ns >= so.to_ns) {
      std::fprintf(stderr, "pushcap: --from must be before --to\n");
      return kExitUsage;
    }
  }
  // A realtime push may start before the capture made the store; it waits and says so.
  struct stat st {};
  const bool realtime = so.start == Start::kNow || so.start == Start::kStreamStart;
  if (!realtime && (::stat(options.store.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    std::fprintf(stderr, "pushcap: --store %s: not a directory\n", options.store.c_str());
    return kExitUsage;
  }
  if (realtime) {
    set_realtime(eo, options);
  } else if (options.metrics_port >= 0) {
    std::fprintf(stderr,
                 "pushcap: --metrics goes with a realtime push (--store without --offline/--from/--to, or --follow)\n");
    return kExitUsage;
  } else {
    eo.state_dir = options.state_dir;  // with one, an offline push resumes at its checkpoints
  }
  return run_source(cfg, eo, [&](capture::BatchPool& pool) { return std::make_unique<store::StoreSource>(so, pool); });
}

int run_follow(const config::PushConfig& cfg, const RunOptions& options, push::EngineOptions eo) {
  struct stat st {};
  if (::stat(options.follow.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "pushcap: --follow %s: not a directory\n", options.follow.c_str());
    return kExitUsage;
  }
  if (!options.inputs.empty() || !options.store.empty() || !options.from.empty() || !options.to.empty()) {
    std::fprintf(stderr, "pushcap: --follow DIR goes alone (no --offline, --store, --from or --to)\n");
    return kExitUsage;
  }
  if (!(options.quiet_seconds > 0 && options.quiet_seconds <= 3600)) {
    std::fprintf(stderr, "pushcap: --quiet-period must be more than 0 and at most 3600 seconds\n");
    return kExitUsage;
  }
  capture::FollowOptions fo;
  fo.dir = options.follow;
  fo.quiet_ns = static_cast<std::uint64_t>(options.quiet_seconds * 1e9);
  fo.from_start = cfg.follow_start;
  set_realtime(eo, options);
  return run_source(cfg, eo,
                    [&](capture::BatchPool& pool) { return std::make_unique<capture::FollowSource>(fo, pool); });
}

int run_command(const RunOptions& options) {
  auto cfg = config::load_config(options.config);
  if (!cfg) {
    std::fprintf(stderr, "pushcap: config error: %s\n", cfg.error().message().c_str());
    return kExitUsage;
  }
  if (options.inputs.empty() && options.store.empty() && options.follow.empty()) {
    std::fprintf(stderr,
                 "pushcap: no input: give --store DIR (a capture store, realtime), --follow DIR (rolling files), or "
                 "--offline CAPTURE... (files, "
                 "directories or - for stdin)\n");
    return kExitUsage;
  }
  for (const auto& w : cfg->warnings) std::fprintf(stderr, "pushcap: warning: %s\n", w.c_str());
  push::EngineOptions eo;
  eo.log_dir = !options.log_dir.empty() ? options.log_dir : !cfg->log_dir.empty() ? cfg->log_dir : "pushcap-log";
  eo.progress = !options.no_progress && ::isatty(STDERR_FILENO) != 0;
  if (!options.follow.empty()) return run_follow(*cfg, options, eo);
  if (!options.store.empty()) return run_store(*cfg, options, eo);
  if (!options.from.empty() || !options.to.empty() || !options.capture.empty()) {
    std::fprintf(stderr, "pushcap: --from, --to and --capture go with --store\n");
    return kExitUsage;
  }
  eo.state_dir = options.state_dir;  // with one, an offline push resumes at its checkpoints
  return run_files(*cfg, options.inputs, eo);
}

}  // namespace pushcap::cli
