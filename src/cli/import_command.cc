#include <cstdio>

#include <fmt/format.h>

#include "capture/input_list.h"
#include "cli/commands.h"
#include "store/importer.h"
#include "store/retention.h"

namespace pushcap::cli {

int import_command(const ImportArgs& args) {
  auto inputs = capture::expand_inputs(args.inputs);
  if (!inputs) {
    std::fprintf(stderr, "pushcap import: %s\n", inputs.error().message().c_str());
    return kExitUsage;
  }
  store::ImportOptions o;
  o.store_dir = args.store;
  o.name = args.name;
  auto seg = store::parse_size(args.segment_size);
  if (!seg) {
    std::fprintf(stderr, "pushcap import: --segment-size: %s\n", seg.error().message().c_str());
    return kExitUsage;
  }
  o.segment_bytes = *seg;
  o.log = [](const std::string& line) { std::fprintf(stderr, "pushcap import: %s\n", line.c_str()); };
  auto r = store::import_captures(*inputs, o);
  if (!r) {
    std::fprintf(stderr, "pushcap import: %s\n", r.error().message().c_str());
    return r.error().code() == Errc::kInvalidArgument ? kExitUsage : kExitRunErrors;
  }
  std::fprintf(
      stderr, "pushcap import: stream %s: %llu packets, %llu bytes in %.3f s (%.2f Gbps)%s\n", r->stream.c_str(),
      static_cast<unsigned long long>(r->packets), static_cast<unsigned long long>(r->bytes), r->seconds,
      r->seconds > 0 ? static_cast<double>(r->bytes) * 8 / 1e9 / r->seconds : 0.0,
      r->skipped != 0 ? fmt::format("; {} packets of another link type not imported", r->skipped).c_str() : "");
  for (const auto& e : r->errors) std::fprintf(stderr, "  input error: %s\n", e.message().c_str());
  return r->errors.empty() ? kExitOk : kExitRunErrors;
}

}  // namespace pushcap::cli
