// A VXLAN header (RFC 7348, 5): 1 byte flags (the I flag 0x08 must be set), 3 reserved bytes,
// 3 bytes VNI, 1 reserved byte. An Ethernet frame follows.

#include "decap/steps.h"

namespace pushcap::decap {

Next vxlan_step(Cursor& c) {
  if (!c.has(8)) return c.stop(Layer::kVxlan, Problem::kTruncated);
  if ((c.u8(0) & 0x08u) == 0) return c.stop(Layer::kVxlan, Problem::kInvalid);
  c.tags->add(TagKey::kVxlanVni, c.be32(4) >> 8);
  c.pos += 8;
  c.decoded(Layer::kVxlan);
  return Next::kEthernet;
}

}  // namespace pushcap::decap
