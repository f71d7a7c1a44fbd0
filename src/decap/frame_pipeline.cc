#include "decap/frame_pipeline.h"

#include "decap/protocol_numbers.h"

#include <algorithm>
#include <cstring>

#include "decap/decap_chain.h"

namespace pushcap::decap {

std::uint64_t widen_seconds16(std::uint16_t low, std::uint64_t capture_sec) {
  const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(low - (capture_sec & 0xffffu)));
  const std::int64_t sec = static_cast<std::int64_t>(capture_sec) + diff;
  return sec < 0 ? 0 : static_cast<std::uint64_t>(sec);
}

FramePipeline::FramePipeline(DecapOptions options) : options_(std::move(options)) {
  for (std::uint16_t port : options_.vxlan_ports) {
    if (port == udp_port::kVxlan || settings_.vxlan_port_count == ChainSettings::kMaxVxlanPorts) continue;
    settings_.vxlan_ports[settings_.vxlan_port_count++] = port;
  }
}

Frame FramePipeline::apply(const std::uint8_t* packet, std::uint32_t caplen, std::uint32_t wirelen, std::uint64_t ts_ns,
                           std::uint32_t linktype, FrameTags& tags) {
  Frame f{packet, caplen, wirelen, ts_ns, linktype, false};
  const LinkStart start = link_start(linktype);
  Cursor c;
  c.p = packet;
  c.cap = caplen;
  c.end = std::max(caplen, wirelen);
  c.tags = &tags;
  c.counters = &counters_;
  c.settings = &settings_;

  // 1. The vendor trailer, at the very end of the frame as the switch sent it.
  TrailerRead trailer;
  bool trailer_found = false;
  bool keyframe = false;
  if (options_.trailer != TrailerKind::kNone) {
    if (start != LinkStart::kEthernet) {
      counters_.count(Layer::kTrailer, Problem::kUnsupported);
    } else if (caplen < wirelen) {
      counters_.count(Layer::kTrailer, Problem::kTruncated);  // snapped: the trailer was not captured
    } else if (options_.trailer == TrailerKind::kA7150 && clock_.take_keyframe(packet, caplen, ts_ns)) {
      keyframe = true;
      ++counters_.keyframes;
    } else {
      switch (options_.trailer) {
        case TrailerKind::kA7130:
          trailer_found = read_metamako_trailer(packet, caplen, options_.trailer_fcs, ts_ns, trailer, tags);
          break;
        case TrailerKind::kC3550:
          trailer_found = read_exablaze_trailer(packet, caplen, options_.trailer_fcs, ts_ns, trailer, tags);
          break;
        case TrailerKind::kA7150:
          trailer_found = read_arista7150_ticks(packet, caplen, options_.trailer_fcs, trailer);
          break;
        case TrailerKind::kNone:
          break;
      }
      if (trailer_found) {
        c.cap -= trailer.length;
        c.end = c.cap;
        ++counters_.removed[static_cast<std::size_t>(Layer::kTrailer)];
      } else {
        counters_.count(Layer::kTrailer, Problem::kMissing);
      }
    }
  }

  // 2. The layers.
  const bool run_chain = options_.decap || options_.decode_tags || options_.hw_timestamp;
  if (run_chain) DecapChain::run(c, start);

  // 3. The time.
  if (options_.hw_timestamp && !keyframe) {
    std::uint64_t hw = 0;
    if (hardware_time(c, trailer, trailer_found, ts_ns, hw)) {
      f.ts_ns = hw;
      ++counters_.removed[static_cast<std::size_t>(Layer::kTimestamp)];
    } else {
      counters_.count(Layer::kTimestamp, Problem::kMissing);
    }
  }
  if (options_.src_mac_timestamp && start == LinkStart::kEthernet && !keyframe) {
    const std::uint32_t nsec = caplen >= 12 ? load_be<std::uint32_t>(packet + 8) : 1'000'000'000u;
    if (nsec < 1'000'000'000u) {
      const std::uint64_t sec = widen_seconds16(load_be<std::uint16_t>(packet + 6), ts_ns / 1'000'000'000u);
      f.ts_ns = sec * 1'000'000'000u + nsec;
      ++counters_.removed[static_cast<std::size_t>(Layer::kTimestamp)];
    } else {
      counters_.count(Layer::kTimestamp, Problem::kMissing);
    }
  }

  // 4. The bytes.
  if (options_.decap && c.cut.set) {
    const Frame out = build(c, packet, caplen, wirelen);
    f.data = out.data;
    f.caplen = out.caplen;
    f.wirelen = out.wirelen;
    f.linktype = out.linktype;
    f.changed = out.changed;
  } else if (trailer_found) {
    f.caplen = c.cap;
    f.wirelen = c.cap;
    f.changed = true;
  }
  if (f.ts_ns != ts_ns) f.changed = true;
  return f;
}

bool FramePipeline::hardware_time(const Cursor& c, const TrailerRead& trailer, bool trailer_found,
                                  std::uint64_t capture_ns, std::uint64_t& out) {
  if (trailer_found) {
    if (trailer.has_time) {
      out = trailer.time_ns;
      return true;
    }
    if (options_.trailer == TrailerKind::kA7150) return clock_.to_utc(trailer.ticks, capture_ns, out);
  }
  if (c.stamps.arista) {
    const std::uint64_t tai_offset = c.stamps.arista_tai ? kTaiOffsetSec : 0;
    std::uint64_t sec = c.stamps.arista_sec;
    if (c.stamps.arista_48) {
      sec = widen_seconds16(static_cast<std::uint16_t>(sec), capture_ns / 1'000'000'000u + tai_offset);
    }
    if (sec < tai_offset) return false;
    out = (sec - tai_offset) * 1'000'000'000u + c.stamps.arista_nsec;
    return true;
  }
  if (c.stamps.erspan) {
    out = c.stamps.erspan_ns;
    return true;
  }
  return false;
}

Frame FramePipeline::build(const Cursor& c, const std::uint8_t* packet, std::uint32_t caplen, std::uint32_t wirelen) {
  const Cut& k = c.cut;
  Frame f{packet, caplen, wirelen, 0, 1, false};
  const std::uint32_t cap_end = std::max(std::min(k.end, c.cap), k.payload_off);
  const std::uint32_t tail_cap = cap_end - k.payload_off;
  const std::uint32_t tail_wire = std::max(k.end, cap_end) - k.payload_off;
  const bool whole = k.mac_off == 0 && k.payload_off == 14 && k.end == std::max(caplen, wirelen);
  if (whole) return f;  // nothing to remove: the frame as it came
  f.changed = true;
  f.caplen = 14 + tail_cap;
  f.wirelen = 14 + tail_wire;
  if (k.mac_off != kNoMac && k.mac_off + 14 == k.payload_off) {
    f.data = packet + k.mac_off;  // the inner frame is contiguous in the input
    return f;
  }
  if (scratch_.size() < f.caplen) scratch_.resize(f.caplen);
  std::uint8_t* out = scratch_.data();
  if (k.mac_off == kNoMac) {
    std::memset(out, 0, 12);
  } else {
    std::memcpy(out, packet + k.mac_off, 12);
  }
  store_be<std::uint16_t>(out + 12, k.ethertype);
  std::memcpy(out + 14, packet + k.payload_off, tail_cap);
  f.data = out;
  return f;
}

}  // namespace pushcap::decap
