#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "config/lua_config.h"
#include "core/clock.h"
#include "split/file_namer.h"

namespace pushcap::cli {
namespace {

std::string describe_split(const split::SplitSpec& s) {
  std::vector<std::string> parts;
  if (s.time_ns != 0) parts.push_back(fmt::format("every {:g} s of packet time", static_cast<double>(s.time_ns) / 1e9));
  if (s.bytes != 0) parts.push_back(fmt::format("at {} bytes per file", s.bytes));
  if (s.packets != 0) parts.push_back(fmt::format("at {} packets per file", s.packets));
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " or " : "") + parts[i];
  return out;
}

}  // namespace

int check_command(const std::string& config_path) {
  auto cfg = config::load_config(config_path);
  if (!cfg) {
    std::fprintf(stderr, "pushcap: config error: %s\n", cfg.error().message().c_str());
    return kExitUsage;
  }
  std::printf("%s: OK, %zu target%s\n", cfg->file.c_str(), cfg->targets.size(), cfg->targets.size() == 1 ? "" : "s");
  if (!cfg->log_dir.empty()) std::printf("  LogDir      %s\n", cfg->log_dir.c_str());
  if (cfg->follow_start) {
    std::printf("  FollowStart true (realtime push only: an offline run reads its inputs from their start)\n");
  }
  if (!cfg->schedule.always()) {
    std::string windows;
    for (const auto& e : cfg->schedule.entries()) windows += (windows.empty() ? "" : ", ") + e;
    std::printf("  Schedule    %s (realtime push only; pushing pauses outside these windows)\n", windows.c_str());
  }
  for (const auto& w : cfg->warnings) std::printf("  warning: %s\n", w.c_str());
  const auto now = static_cast<std::uint64_t>(wall_ns());
  for (const auto& t : cfg->targets) {
    split::FileNamer namer(t.spec, t.prefix);
    std::uint64_t start = t.spec.time_ns != 0 ? now - now % t.spec.time_ns : now;
    std::uint64_t end = t.spec.time_ns != 0 ? start + t.spec.time_ns : now;
    std::printf("target '%s'\n", t.desc.c_str());
    std::printf("  Mode        File\n");
    std::printf("  Path        %s\n", t.path.c_str());
    std::printf("  Split       %s\n", describe_split(t.spec).c_str());
    std::printf("  FileName    %s%s, e.g. %s\n", split::layout_flag(t.spec).c_str(), t.spec.utc ? " (UTC)" : "",
                namer.path({start, end}, "", 0).c_str());
    std::printf("  FilterBPF   %s\n",
                t.filter_bpf.empty() ? "(none: every packet)" : ("\"" + t.filter_bpf + "\"").c_str());
    if (!t.filter_frame.empty()) std::printf("  FilterFrame \"%s\"\n", t.filter_frame.c_str());
    const decap::DecapOptions& d = t.decap;
    if (d.decap) {
      std::string ports = "4789";
      for (auto p : d.vxlan_ports) ports += ", " + std::to_string(p);
      std::printf("  Decap       true (output: the innermost Ethernet frame; VXLAN on UDP %s)\n", ports.c_str());
    }
    if (d.trailer != decap::TrailerKind::kNone) {
      std::printf("  Trailer     %s%s (removed)\n", decap::trailer_kind_name(d.trailer),
                  d.trailer_fcs ? ", followed by an FCS" : "");
    }
    if (d.hw_timestamp) std::printf("  HWTimestamp true (packet times from the trailer or header, in ns)\n");
    if (d.src_mac_timestamp) std::printf("  SrcMacTimestamp true (Arista 7280 48-bit time in the source MAC)\n");
    if (t.spec.owner) std::printf("  Owner       %s\n", t.spec.owner->text.c_str());
  }
  return kExitOk;
}

}  // namespace pushcap::cli
