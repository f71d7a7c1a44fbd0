#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "capture/input_list.h"
#include "cli/commands.h"
#include "config/lua_config.h"
#include "core/interrupt.h"
#include "push/engine.h"

namespace pushcap::cli {
namespace {

void on_signal(int sig) {
  note_interrupt(sig);
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

int run_engine(const config::PushConfig& cfg, const std::vector<std::string>& input_args, push::EngineOptions options) {
  auto inputs = capture::expand_inputs(input_args);
  if (!inputs) {
    std::fprintf(stderr, "pushcap: %s\n", inputs.error().message().c_str());
    return kExitUsage;
  }
  auto engine = push::Engine::create(cfg, options);
  if (!engine) {
    std::fprintf(stderr, "pushcap: %s\n", engine.error().message().c_str());
    return kExitUsage;
  }
  install_signal_handlers();
  push::RunReport report = (*engine)->run(*inputs);
  std::fprintf(stderr, "%s\n", push::format_summary(report).c_str());
  if (report.signal != 0) return 128 + report.signal;
  return report.ok() ? kExitOk : kExitRunErrors;
}

int run_command(const RunOptions& options) {
  auto cfg = config::load_config(options.config);
  if (!cfg) {
    std::fprintf(stderr, "pushcap: config error: %s\n", cfg.error().message().c_str());
    return kExitUsage;
  }
  if (options.inputs.empty()) {
    std::fprintf(stderr,
                 "pushcap: no input: give --offline CAPTURE... (files, directories or - for stdin); "
                 "realtime push from a capture store is not supported yet (issue #6)\n");
    return kExitUsage;
  }
  for (const auto& w : cfg->warnings) std::fprintf(stderr, "pushcap: warning: %s\n", w.c_str());
  push::EngineOptions eo;
  eo.log_dir = !options.log_dir.empty() ? options.log_dir : !cfg->log_dir.empty() ? cfg->log_dir : "pushcap-log";
  eo.progress = !options.no_progress && ::isatty(STDERR_FILENO) != 0;
  return run_engine(*cfg, options.inputs, eo);
}

}  // namespace pushcap::cli
