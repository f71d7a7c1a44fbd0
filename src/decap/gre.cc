// A GRE header (RFC 2784 with the key and sequence extensions of RFC 2890): 2 bytes flags and
// version (C 0x8000 checksum, R 0x4000 routing, K 0x2000 key, S 0x1000 sequence, version in the
// low 3 bits), 2 bytes protocol type, then 4 bytes each for checksum+reserved, key and sequence
// number when their flags are set. Protocol types: 0x0800/0x86DD IP, 0x6558 Ethernet
// (transparent bridging), 0x88BE ERSPAN type II (type I when S is clear: no ERSPAN header),
// 0x22EB ERSPAN type III, 0x8847/0x8848 MPLS. Version 1 (PPTP's enhanced GRE, RFC 2637) and the
// RFC 1701 routing field are passed as they are.

#include "decap/protocol_numbers.h"
#include "decap/steps.h"

namespace pushcap::decap {

Next gre_step(Cursor& c) {
  if (!c.has(4)) return c.stop(Layer::kGre, Problem::kTruncated);
  const std::uint16_t flags = c.be16(0);
  const std::uint16_t type = c.be16(2);
  if ((flags & 0x0007u) != 0 || (flags & 0x4000u) != 0) return c.stop(Layer::kGre, Problem::kUnsupported);
  const bool has_csum = (flags & 0x8000u) != 0;
  const bool has_key = (flags & 0x2000u) != 0;
  const bool has_seq = (flags & 0x1000u) != 0;
  const std::uint32_t len = 4u + (has_csum ? 4u : 0u) + (has_key ? 4u : 0u) + (has_seq ? 4u : 0u);
  if (len > c.room()) return c.stop(Layer::kGre, Problem::kInvalid);
  if (!c.has(len)) return c.stop(Layer::kGre, Problem::kTruncated);
  if (has_key) c.tags->add(TagKey::kGreKey, c.be32(has_csum ? 8 : 4));
  Next next = Next::kDone;
  switch (type) {
    case ethertype::kIpv4:
    case ethertype::kIpv6:
      c.pos += len;
      c.decoded(Layer::kGre);
      return enter_bare_ip(c, Layer::kGre);
    case ethertype::kTransparentEthernet:
      next = Next::kEthernet;
      break;
    case ethertype::kErspan2:
      next = has_seq ? Next::kErspan2 : Next::kEthernet;  // type I has no ERSPAN header
      if (!has_seq) c.decoded(Layer::kErspan);
      break;
    case ethertype::kErspan3:
      next = Next::kErspan3;
      break;
    case ethertype::kMplsUnicast:
    case ethertype::kMplsMulticast:
      next = Next::kMpls;
      break;
    default:
      return c.stop(Layer::kGre, Problem::kUnsupported);
  }
  c.pos += len;
  c.decoded(Layer::kGre);
  return next;
}

}  // namespace pushcap::decap
