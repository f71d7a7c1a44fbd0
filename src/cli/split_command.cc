#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "config/push_config.h"
#include "config/target_output.h"
#include "decap/frame_pipeline.h"
#include "decap/trailer.h"
#include "filter/frame_filter.h"
#include "push/engine.h"
#include "split/split_flags.h"

namespace pushcap::cli {

static void print_split_help() {
  std::printf(
      "Usage: pushcap split [FLAGS] [INPUT...]   (stdin when no input is named)\n"
      "  --split-time NS        split every NS nanoseconds of packet time (60e9 = 1 minute)\n"
      "  --split-byte BYTES     split before a file would pass BYTES (headers included)\n"
      "  --split-packet N       split every N packets\n"
      "  --filename-epoch-sec | --filename-epoch-sec-startend | --filename-epoch-msec |\n"
      "  --filename-epoch-usec | --filename-epoch-nsec | --filename-tstr-HHMM |\n"
      "  --filename-tstr-HHMMSS (default) | --filename-tstr-HHMMSS_NS |\n"
      "  --filename-tstr-HHMMSS_SUB | --filename-tstr-HHMMSS_TZ | --filename-strftime FMT\n"
      "  --filename-utc         time strings in UTC instead of the local zone (TZ)\n"
      "  --filename-suffix S    file suffix (default .pcap)\n"
      "  -o PREFIX              output prefix, used literally (-o out/ or -o out/all_)\n"
      "  -Z USER[:GROUP]        owner of the finished files\n"
      "  --decap                remove VLAN/MPLS/GRE/ERSPAN/VXLAN/GENEVE/... encapsulation\n"
      "  --trailer KIND         remove a vendor trailer: a7130 (metamako), c3550 (exablaze), a7150\n"
      "  --trailer-fcs          an FCS follows the trailer in the capture\n"
      "  --hw-timestamp         take packet times from the trailer, Arista header or ERSPAN III\n"
      "  --src-mac-timestamp    take packet times from the source MAC (Arista 7280 48-bit mode)\n"
      "  --vxlan-port N         UDP port N also carries VXLAN (e.g. 8472); repeatable\n"
      "  --filter-frame EXPR    keep packets matching a FilterFrame expression (vlan.id==5 ...)\n"
      "  --log-dir DIR          also write pushcap's logs into DIR\n"
      "  --no-progress          no progress line (shown on a terminal by default)\n");
}

int split_command(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      print_split_help();
      return 0;
    }
  }
  std::vector<std::string> flags;
  std::vector<std::string> inputs;
  std::string log_dir;
  bool progress = true;
  config::TargetConfig target;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--log-dir" || a == "--uid" || a == "--trailer" || a == "--vxlan-port" || a == "--filter-frame") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "pushcap split: %s needs a value\n", a.c_str());
        return kExitUsage;
      }
      const std::string& v = args[++i];  // --uid is the original's instance name; pushcap has no use for it
      if (a == "--log-dir") log_dir = v;
      if (a == "--filter-frame") target.filter_frame = v;
      if (a == "--trailer") {
        auto kind = decap::parse_trailer_kind(v);
        if (!kind) {
          std::fprintf(stderr, "pushcap split: --trailer %s: not a known trailer (use one of %s)\n", v.c_str(),
                       decap::trailer_kind_names().c_str());
          return kExitUsage;
        }
        target.decap.trailer = *kind;
      }
      if (a == "--vxlan-port") {
        char* end = nullptr;
        unsigned long port = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || port < 1 || port > 65535 ||
            target.decap.vxlan_ports.size() >= decap::DecapOptions::kMaxExtraVxlanPorts) {
          std::fprintf(stderr, "pushcap split: --vxlan-port %s: give a UDP port 1-65535 (at most %zu ports)\n",
                       v.c_str(), decap::DecapOptions::kMaxExtraVxlanPorts);
          return kExitUsage;
        }
        target.decap.vxlan_ports.push_back(static_cast<std::uint16_t>(port));
      }
    } else if (a == "--decap") {
      target.decap.decap = true;
    } else if (a == "--trailer-fcs") {
      target.decap.trailer_fcs = true;
    } else if (a == "--hw-timestamp") {
      target.decap.hw_timestamp = true;
    } else if (a == "--src-mac-timestamp") {
      target.decap.src_mac_timestamp = true;
    } else if (a == "--progress") {
      progress = true;  // the default on a terminal; kept for scripts that ask for it
    } else if (a == "--no-progress") {
      progress = false;
    } else if (a == "-" || a.empty() || a[0] != '-') {
      inputs.push_back(a);
    } else {
      flags.push_back(a);
      if (split::split_flag_takes_value(a) && i + 1 < args.size()) flags.push_back(args[++i]);
    }
  }
  target.desc = "split";
  auto frame_filter = filter::FrameFilter::parse(target.filter_frame);
  if (!frame_filter) {
    std::fprintf(stderr, "pushcap split: --filter-frame \"%s\": %s\n", target.filter_frame.c_str(),
                 frame_filter.error().message().c_str());
    return kExitUsage;
  }
  target.decap.decode_tags = frame_filter->needs_layers();
  if (auto r = split::apply_split_flags(flags, target.spec); !r) {
    std::fprintf(stderr, "pushcap split: %s\n", r.error().message().c_str());
    return kExitUsage;
  }
  if (auto r = config::resolve_encoding(target, "", ""); !r) {
    std::fprintf(stderr, "pushcap split: %s\n", r.error().message().c_str());
    return kExitUsage;
  }
  if (target.spec.time_ns == 0 && target.spec.bytes == 0 && target.spec.packets == 0) {
    std::fprintf(stderr, "pushcap split: give --split-time NS, --split-byte BYTES or --split-packet N\n");
    return kExitUsage;
  }
  // pcap_split -o is a literal prefix: "-o out/all" gives out/all1616334655.pcap.
  target.prefix = target.spec.output_prefix.value_or("");
  target.path = target.prefix;
  config::PushConfig cfg;
  cfg.file = "(command line)";
  cfg.targets.push_back(target);
  if (inputs.empty()) {
    if (::isatty(STDIN_FILENO) != 0) {
      std::fprintf(stderr,
                   "pushcap split: no input: name capture files or pipe one in (pushcap split ... < capture.pcap)\n");
      return kExitUsage;
    }
    inputs.push_back("-");
  }
  push::EngineOptions eo;
  eo.log_dir = log_dir;
  eo.progress = progress && ::isatty(STDERR_FILENO) != 0;
  return run_files(cfg, inputs, eo);
}

}  // namespace pushcap::cli
