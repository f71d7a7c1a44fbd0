// ERSPAN headers after GRE (draft-foschiano-erspan-03; field names as Wireshark's packet-erspan.c
// decodes them). Type I (GRE 0x88BE, no sequence number) has no header and is handled by gre.cc.
//
// Type II (GRE 0x88BE with a sequence number), 8 bytes:
//   4 bits version = 1, 12 bits VLAN | 3 bits COS, 2 bits encap, 1 bit truncated, 10 bits session
//   | 12 bits reserved, 20 bits index. An Ethernet frame follows.
// Type III (GRE 0x22EB), 12 bytes:
//   4 bits version = 2, 12 bits VLAN | 3 bits COS, 2 bits BSO, 1 bit T, 10 bits session
//   | 32 bits timestamp | 16 bits SGT | 1 bit P, 5 bits frame type, 6 bits hardware id,
//   1 bit direction, 2 bits granularity, 1 bit O (an 8-byte platform subheader follows).
//   Frame type 0 is Ethernet, 2 is IP; the others are passed as they are.
//   Platform subheader: 6 bits platform id, then per id. Ids 3 and 7 (and 0, an alias of 7) carry
//   the upper 32 bits of the timestamp in their second word, ids 5 and 6 the seconds.
//   The timestamp is absolute only with such a subheader: granularity 2 (IEEE 1588) is seconds
//   (upper word) and nanoseconds (the header's field); granularity 3 ("user configurable") is, as
//   Cisco Nexus switches send it, one 64-bit count of nanoseconds since the epoch (checked on
//   tests/data/real/zk_gre-erspan3-dot1q.pcap: it falls 14 ms before the capture time). Granularity
//   0 and 1 (100 us, 100 ns ticks) are relative and never replace a packet's time.

#include "decap/steps.h"

namespace pushcap::decap {

Next erspan2_step(Cursor& c) {
  if (!c.has(8)) return c.stop(Layer::kErspan, Problem::kTruncated);
  if ((c.u8(0) >> 4) != 1) return c.stop(Layer::kErspan, Problem::kInvalid);
  c.tags->add(TagKey::kErspanSession, c.be16(2) & 0x03ffu);
  c.pos += 8;
  c.decoded(Layer::kErspan);
  return Next::kEthernet;
}

Next erspan3_step(Cursor& c) {
  if (!c.has(12)) return c.stop(Layer::kErspan, Problem::kTruncated);
  if ((c.u8(0) >> 4) != 2) return c.stop(Layer::kErspan, Problem::kInvalid);
  c.tags->add(TagKey::kErspanSession, c.be16(2) & 0x03ffu);
  const std::uint32_t lower = c.be32(4);
  const std::uint16_t word = c.be16(10);
  const unsigned frame_type = (word >> 10) & 0x1fu;
  const unsigned granularity = (word >> 1) & 0x3u;
  const bool subheader = (word & 1u) != 0;
  std::uint32_t len = 12;
  bool absolute = false;
  std::uint64_t ns = 0;
  if (subheader) {
    if (!c.has(20)) return c.stop(Layer::kErspan, Problem::kTruncated);
    const unsigned platform = c.be32(12) >> 26;
    const std::uint32_t upper = c.be32(16);
    const bool has_upper = platform == 0 || platform == 3 || platform == 7;
    const bool has_seconds = platform == 5 || platform == 6;
    if (granularity == 3 && has_upper) {
      absolute = true;
      ns = (std::uint64_t{upper} << 32) | lower;
    } else if ((granularity == 2 && (has_upper || has_seconds)) || (granularity == 3 && has_seconds)) {
      absolute = lower < 1'000'000'000u;
      ns = std::uint64_t{upper} * 1'000'000'000u + lower;
    }
    len = 20;
  }
  if (!c.stamps.erspan && !c.stamps.erspan_relative) {
    c.stamps.erspan = absolute;
    c.stamps.erspan_relative = !absolute;
    c.stamps.erspan_ns = ns;
  }
  if (len > c.room()) return c.stop(Layer::kErspan, Problem::kInvalid);
  switch (frame_type) {
    case 0:
      c.pos += len;
      c.decoded(Layer::kErspan);
      return Next::kEthernet;
    case 2:
      c.pos += len;
      c.decoded(Layer::kErspan);
      return enter_bare_ip(c, Layer::kErspan);
    default:
      return c.stop(Layer::kErspan, Problem::kUnsupported);
  }
}

}  // namespace pushcap::decap
