// The Cisco Nexus 3550 (ExaLINK Fusion) / Exablaze trailer, 16 bytes appended after the original
// frame (and before a new FCS when the capture kept it):
//   4 bytes original FCS, 1 byte device id, 1 byte port,
//   4 bytes seconds since the epoch, 5 bytes binary fraction of a second (40 bits), 1 reserved.
// Source: Cisco Nexus 3550-F Fusion user guide, "Timestamping"; Wireshark's packet-exablaze.c
// decodes the same fields (and truncates the fraction to nanoseconds, as pushcap does).

#include "decap/trailer.h"

#include "core/endian.h"

namespace pushcap::decap {

bool read_exablaze_trailer(const std::uint8_t* frame, std::uint32_t len, bool fcs, std::uint64_t capture_ns,
                           TrailerRead& out, FrameTags& tags) {
  const std::uint32_t fcs_len = fcs ? 4 : 0;
  if (len < 14 + 16 + fcs_len) return false;
  const std::uint8_t* t = frame + len - fcs_len - 16;
  const std::uint32_t sec = load_be<std::uint32_t>(t + 6);
  std::uint64_t frac = 0;
  for (int i = 0; i < 5; ++i) frac = (frac << 8) | t[10 + i];
  if (!near_capture(sec, capture_ns)) return false;
  // frac * 10^9 / 2^40 without overflow: 10^9 = 2^9 * 1953125, and frac * 1953125 < 2^61.
  const std::uint64_t nsec = (frac * 1'953'125u) >> 31;
  out.length = 16 + fcs_len;
  out.has_time = true;
  out.time_ns = std::uint64_t{sec} * 1'000'000'000u + nsec;
  tags.add(TagKey::kC3550SrcPort, t[5]);
  return true;
}

}  // namespace pushcap::decap
