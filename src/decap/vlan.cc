// An 802.1Q tag (EtherType 0x8100), an 802.1ad service tag (0x88a8) or the pre-standard QinQ
// tag (0x9100): 2 bytes TCI (3 bits priority, 1 bit DEI, 12 bits VLAN id), then the EtherType of
// what follows (IEEE 802.1Q-2018, 9.6). Stacked tags are just this step again.

#include "decap/steps.h"

namespace pushcap::decap {

Next vlan_step(Cursor& c) {
  if (!c.has(4)) return c.stop(Layer::kVlan, Problem::kTruncated);
  c.tags->add(TagKey::kVlanId, c.be16(0) & 0x0fffu);
  const std::uint16_t type = c.be16(2);
  c.pos += 4;
  c.decoded(Layer::kVlan);
  return after_ethertype(c, type);
}

}  // namespace pushcap::decap
