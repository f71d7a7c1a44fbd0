#include "push/packet_path.h"

#include <fmt/format.h>

#include "core/pcap_format.h"

namespace pushcap::push {
namespace {

// Classic pcap holds 32-bit unsigned seconds.
constexpr std::uint64_t kMaxPcapTs = (std::uint64_t{1} << 32) * 1'000'000'000u;

}  // namespace

PacketPath::PacketPath(const config::TargetConfig& config, const TargetLog& log)
    : log_(log), filter_bpf_(config.filter_bpf) {
  has_filter_ = !filter::selects_everything(filter_bpf_);
  if (auto ff = filter::FrameFilter::parse(config.filter_frame); ff) {  // checked when the config was loaded
    frame_filter_ = std::move(*ff);
    has_frame_filter_ = !frame_filter_.empty();
  }
  decap::DecapOptions options = config.decap;
  options.decode_tags = options.decode_tags || frame_filter_.needs_layers();
  if (options.active()) pipeline_.emplace(std::move(options));
}

Verdict PacketPath::apply(const capture::Batch& batch, const capture::Record& r, PathFrame& frame, DropReason& reason) {
  const capture::LinkFormat& format = (*batch.formats)[r.format];
  // The packet as this target sees it: trailer removed, de-encapsulated, hardware time.
  frame.data = batch.packet(r);
  frame.caplen = r.caplen;
  frame.wirelen = r.wirelen;
  frame.ts = r.ts_ns;
  frame.changed = false;
  bool converted = false;
  if (pipeline_ || has_frame_filter_) {
    tags_.clear();
    tags_.add(decap::TagKey::kCapturePort, r.interface);
    if (pipeline_) {
      const decap::Frame f =
          pipeline_->apply(frame.data, frame.caplen, frame.wirelen, frame.ts, format.linktype, tags_);
      frame.data = f.data;
      frame.caplen = f.caplen;
      frame.wirelen = f.wirelen;
      frame.ts = f.ts_ns;
      frame.changed = f.changed;
      converted = f.linktype != format.linktype;
    }
    if (has_frame_filter_ && !frame_filter_.match(tags_, format.interface_name)) return Verdict::kFiltered;
  }
  OutputFormat& out = output_for(r.format, format, converted);
  if (has_filter_) {
    const filter::BpfProgram* prog = program_for(out);
    if (prog == nullptr) {
      reason = DropReason::kFilterLinktype;
      return Verdict::kDrop;
    }
    // libpcap shows a filter at most snaplen bytes, as tcpdump sees them.
    const std::uint32_t snap = out.format.snaplen;
    const std::uint32_t clen = snap != 0 && frame.caplen > snap ? snap : frame.caplen;
    if (!prog->match(frame.data, clen, frame.wirelen)) return Verdict::kFiltered;
  }
  // Checked after the filter, so a filter's match count does not depend on the output format.
  const bool overflow = frame.ts == r.ts_ns && (r.flags & capture::kTsOverflow) != 0;
  if (overflow || frame.ts >= kMaxPcapTs) {
    reason = DropReason::kTsUnrepresentable;
    return Verdict::kDrop;
  }
  frame.output = &out;
  return Verdict::kWrite;
}

OutputFormat& PacketPath::output_for(capture::FormatId id, const capture::LinkFormat& input, bool converted) {
  auto& map = output_of_format_[converted ? 1 : 0];
  if (id < map.size() && map[id] != nullptr) return *map[id];
  if (id >= map.size()) map.resize(id + 1u, nullptr);
  auto out = std::make_unique<OutputFormat>();
  out->format = input;
  out->format.interface_name.clear();
  if (converted) {
    // De-encapsulated packets are Ethernet; their bytes no longer follow the input's byte order.
    out->format.linktype = pcap::kLinktypeEthernet;
    out->format.swapped = false;
  }
  if (pipeline_ && (pipeline_->options().hw_timestamp || pipeline_->options().src_mac_timestamp)) {
    out->format.resolution = capture::TsResolution::kNano;  // hardware time has nanoseconds to keep
  }
  outputs_.push_back(std::move(out));
  map[id] = outputs_.back().get();
  return *outputs_.back();
}

const filter::BpfProgram* PacketPath::program_for(OutputFormat& out) {
  if (out.program_state == 0) {
    const capture::LinkFormat& format = out.format;
    auto prog = filter::BpfProgram::compile(filter_bpf_, format.linktype, format.snaplen, format.swapped);
    if (prog) {
      out.program = std::move(*prog);
      out.program_state = 1;
    } else {
      out.program_state = 2;
      const char* name = capture::linktype_name(format.linktype);
      log_.warn(fmt::format("FilterBPF \"{}\" does not compile for link type {}{}: {}; its packets are counted as '{}'",
                            filter_bpf_, format.linktype, name != nullptr ? fmt::format(" ({})", name) : "",
                            prog.error().message(), drop_reason_name(DropReason::kFilterLinktype)));
    }
  }
  return out.program_state == 1 ? &*out.program : nullptr;
}

}  // namespace pushcap::push
