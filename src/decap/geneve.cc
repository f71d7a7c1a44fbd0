// A GENEVE header (RFC 8926, 3.4): 2 bits version (0), 6 bits options length in 4-byte words,
// O and C flags, 2 bytes protocol type (0x6558 Ethernet, 0x0800/0x86DD IP), 3 bytes VNI, 1
// reserved byte, then the options, skipped by their length.

#include "decap/protocol_numbers.h"
#include "decap/steps.h"

namespace pushcap::decap {

Next geneve_step(Cursor& c) {
  if (!c.has(8)) return c.stop(Layer::kGeneve, Problem::kTruncated);
  if ((c.u8(0) >> 6) != 0) return c.stop(Layer::kGeneve, Problem::kUnsupported);
  const std::uint32_t len = 8u + (c.u8(0) & 0x3fu) * 4u;
  const std::uint16_t type = c.be16(2);
  const std::uint32_t vni = c.be32(4) >> 8;
  if (len > c.room()) return c.stop(Layer::kGeneve, Problem::kInvalid);
  if (!c.has(len)) return c.stop(Layer::kGeneve, Problem::kTruncated);
  switch (type) {
    case ethertype::kTransparentEthernet:
      c.tags->add(TagKey::kGeneveVni, vni);
      c.pos += len;
      c.decoded(Layer::kGeneve);
      return Next::kEthernet;
    case ethertype::kIpv4:
    case ethertype::kIpv6:
      c.tags->add(TagKey::kGeneveVni, vni);
      c.pos += len;
      c.decoded(Layer::kGeneve);
      return enter_bare_ip(c, Layer::kGeneve);
    default:
      return c.stop(Layer::kGeneve, Problem::kUnsupported);
  }
}

}  // namespace pushcap::decap
