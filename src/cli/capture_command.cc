#include <csignal>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "live/capture_runner.h"
#include "push/log_file.h"
#include "store/retention.h"

namespace pushcap::cli {

int capture_command(const CaptureArgs& args) {
  install_signal_handlers();  // a stop during set-up still ends cleanly
  live::CaptureOptions o;
  o.store_dir = args.store;
  o.interfaces = args.interfaces;
  o.name = args.name;
  o.filter = args.filter;
  o.tstamp = args.tstamp;
  o.snaplen = args.snaplen;
  o.retention_seconds = args.retention_every;
  auto size_arg = [](const std::string& flag, const std::string& text, std::uint64_t& out) {
    if (text.empty()) return true;
    auto v = store::parse_size(text);
    if (!v) {
      std::fprintf(stderr, "pushcap capture: %s: %s\n", flag.c_str(), v.error().message().c_str());
      return false;
    }
    out = *v;
    return true;
  };
  if (!size_arg("--max-size", args.max_size, o.retention.max_bytes) ||
      !size_arg("--segment-size", args.segment_size, o.segment_bytes) ||
      !size_arg("--buffer", args.buffer, o.buffer_bytes) || !size_arg("--queue", args.queue, o.queue_bytes)) {
    return kExitUsage;
  }
  if (!args.max_age.empty()) {
    auto v = store::parse_duration_ns(args.max_age);
    if (!v) {
      std::fprintf(stderr, "pushcap capture: --max-age: %s\n", v.error().message().c_str());
      return kExitUsage;
    }
    o.retention.max_age_ns = *v;
  }
  if (o.snaplen == 0 || o.snaplen > 262144) {
    std::fprintf(stderr, "pushcap capture: --snaplen %u: must be 1 to 262144\n", o.snaplen);
    return kExitUsage;
  }
  std::unique_ptr<push::LogFile> log;
  if (!args.log_dir.empty()) {
    auto l = push::LogFile::open(args.log_dir, "capture_" + (o.name.empty() ? o.interfaces.front() : o.name));
    if (!l) {
      std::fprintf(stderr, "pushcap capture: %s\n", l.error().message().c_str());
      return kExitUsage;
    }
    log = std::move(*l);
  }
  o.log = [&log](const std::string& line) {
    if (log) log->line(line);
    std::fprintf(stderr, "pushcap capture: %s\n", line.c_str());
  };
  o.status_json = [&log](const std::string& json) {
    if (log) log->json(json);
  };
  auto report = live::run_capture(o);
  if (!report) {
    std::fprintf(stderr, "pushcap capture: %s\n", report.error().message().c_str());
    const Errc code = report.error().code();
    return code == Errc::kIo || code == Errc::kNotFound ? kExitRunErrors : kExitUsage;
  }
  const auto& r = *report;
  std::string summary = fmt::format(
      "pushcap capture: stream {}: {} packets, {} bytes in {:.3f} s, {} segments; dropped: kernel {}, interface {}, "
      "writer behind {}; late {}{}",
      r.stream, r.packets, r.bytes, r.seconds, r.segments, r.drops.kernel, r.drops.iface, r.drops.overflow, r.late,
      r.error.empty() ? "" : "\n  error: " + r.error);
  if (log) log->raw(summary);
  std::fprintf(stderr, "%s\n", summary.c_str());
  if (!r.error.empty()) return kExitRunErrors;
  return r.signal != 0 && r.signal != SIGINT && r.signal != SIGTERM ? 128 + r.signal : kExitOk;
}

}  // namespace pushcap::cli
