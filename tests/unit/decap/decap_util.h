#pragma once
// Helpers for decap tests: real packets from tests/data/real, and one-packet runs of the pipeline
// over an exactly-sized copy (so ASan sees any read past the captured bytes).

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/endian.h"
#include "decap/frame_pipeline.h"

namespace pushcap::decap::testing {

struct Capture {
  std::uint32_t linktype = 0;
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint64_t> ts_ns;
  std::vector<std::uint32_t> wirelen;
};

/// Reads a classic pcap file of tests/data/real (either byte order, us or ns).
inline Capture read_real(const std::string& name) {
  std::ifstream in(std::string(PUSHCAP_TEST_DATA) + "/real/" + name, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Capture c;
  if (b.size() < 24) return c;
  const std::uint32_t magic = load_le<std::uint32_t>(b.data());
  const bool swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
  const bool nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
  c.linktype = load<std::uint32_t>(b.data() + 20, swap) & 0xffffu;
  std::size_t pos = 24;
  while (pos + 16 <= b.size()) {
    const std::uint32_t sec = load<std::uint32_t>(b.data() + pos, swap);
    const std::uint32_t sub = load<std::uint32_t>(b.data() + pos + 4, swap);
    const std::uint32_t caplen = load<std::uint32_t>(b.data() + pos + 8, swap);
    c.wirelen.push_back(load<std::uint32_t>(b.data() + pos + 12, swap));
    if (pos + 16 + caplen > b.size()) break;
    c.packets.emplace_back(b.begin() + static_cast<long>(pos + 16), b.begin() + static_cast<long>(pos + 16 + caplen));
    c.ts_ns.push_back(std::uint64_t{sec} * 1'000'000'000u + (nano ? sub : std::uint64_t{sub} * 1000u));
    pos += 16 + caplen;
  }
  return c;
}

/// The result of running one packet through a fresh pipeline.
struct Result {
  Frame frame;
  std::vector<std::uint8_t> bytes;  ///< the output frame's bytes
  DecapCounters counters;
  FrameTags tags;
  /// The one problem counted, as "layer_problem", or "" (or "several").
  std::string problem;
};

/// `caplen` cuts the packet short as a snap length would; `wirelen` (0: the packet's size) is
/// its length on the wire.
inline Result run(const std::vector<std::uint8_t>& packet, std::uint32_t linktype, DecapOptions options = {},
                  std::uint32_t caplen = 0xffffffffu, std::uint64_t ts_ns = 0, std::uint32_t wirelen = 0) {
  if (!options.decap && !options.active()) options.decap = true;
  FramePipeline pipeline(options);
  const std::uint32_t wire = wirelen != 0 ? wirelen : static_cast<std::uint32_t>(packet.size());
  if (caplen > packet.size()) caplen = static_cast<std::uint32_t>(packet.size());
  std::vector<std::uint8_t> exact(packet.begin(), packet.begin() + caplen);
  // A zero-length packet still needs a valid pointer for the pipeline to hold.
  exact.reserve(1);
  Result r;
  r.frame = pipeline.apply(exact.data(), caplen, wire, ts_ns, linktype, r.tags);
  r.bytes.assign(r.frame.data, r.frame.data + r.frame.caplen);
  r.counters = pipeline.counters();
  for (std::size_t i = 0; i < r.counters.problems.size(); ++i) {
    if (r.counters.problems[i] == 0) continue;
    std::string name = std::string(layer_name(static_cast<Layer>(i / kProblemCount))) + "_" +
                       problem_name(static_cast<Problem>(i % kProblemCount));
    r.problem = r.problem.empty() ? name : "several";
  }
  return r;
}

/// Values of one FilterFrame key in a result.
inline std::vector<std::uint32_t> tag_values(const FrameTags& tags, TagKey key) {
  std::vector<std::uint32_t> out;
  for (int i = 0; i < tags.count; ++i) {
    if (tags.items[i].key == key) out.push_back(tags.items[i].value);
  }
  return out;
}

/// The expected output when the inner frame starts at `mac` (its addresses) and its payload at
/// `payload` with `ethertype`: the addresses, the type, and the rest of the packet up to `end`.
inline std::vector<std::uint8_t> frame_of(const std::vector<std::uint8_t>& p, std::size_t mac, std::uint16_t type,
                                          std::size_t payload, std::size_t end = 0) {
  if (end == 0) end = p.size();
  std::vector<std::uint8_t> out(p.begin() + static_cast<long>(mac), p.begin() + static_cast<long>(mac + 12));
  out.push_back(static_cast<std::uint8_t>(type >> 8));
  out.push_back(static_cast<std::uint8_t>(type & 0xff));
  out.insert(out.end(), p.begin() + static_cast<long>(payload), p.begin() + static_cast<long>(end));
  return out;
}

}  // namespace pushcap::decap::testing
