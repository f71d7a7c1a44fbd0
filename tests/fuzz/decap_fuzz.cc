// libFuzzer target over the decap chain: the per-target pipeline (trailer, layers, hardware time,
// output assembly) and FilterFrame on arbitrary packet bytes. The first three bytes choose the
// options, the link type and how much longer the packet was on the wire; the rest is the packet,
// copied into an exactly-sized buffer so ASan sees any read past the captured bytes.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "decap/frame_pipeline.h"
#include "filter/frame_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  using namespace pushcap;
  const std::uint8_t opts = data[0];
  static constexpr std::uint32_t kLinkTypes[] = {1, 1, 1, 1, 101, 228, 229, 0, 108, 113};
  const std::uint32_t linktype = kLinkTypes[data[1] % 10];
  const std::uint32_t extra = (data[2] & 0x80u) != 0 ? data[2] & 0x7fu : 0;
  const std::size_t caplen = size - 3;
  auto packet = std::make_unique<std::uint8_t[]>(caplen + 1);
  std::memcpy(packet.get(), data + 3, caplen);

  decap::DecapOptions o;
  o.decap = (opts & 1u) != 0 || (opts & 0x0eu) == 0;
  o.trailer = static_cast<decap::TrailerKind>((opts >> 1) & 3u);
  o.trailer_fcs = (opts & 8u) != 0;
  o.hw_timestamp = (opts & 16u) != 0;
  o.src_mac_timestamp = (opts & 32u) != 0;
  if ((opts & 64u) != 0) o.vxlan_ports = {8472};
  decap::FramePipeline pipeline(o);
  decap::FrameTags tags;
  const auto cap32 = static_cast<std::uint32_t>(caplen);
  // Twice, so the Arista 7150 clock runs with a keyframe seen.
  for (int i = 0; i < 2; ++i) {
    tags.clear();
    decap::Frame f = pipeline.apply(packet.get(), cap32, cap32 + extra, 1'700'000'000'000'000'000ull, linktype, tags);
    volatile std::uint8_t sink = 0;
    for (std::uint32_t b = 0; b < f.caplen; ++b) sink = static_cast<std::uint8_t>(sink ^ f.data[b]);
    if (f.caplen > cap32 + 14 || f.wirelen < f.caplen) __builtin_trap();
  }
  // FilterFrame parsing of the same bytes as text.
  auto ff = filter::FrameFilter::parse(std::string(reinterpret_cast<const char*>(data + 3), caplen));
  if (ff) (void)ff->match(tags, "eth0");
  return 0;
}
