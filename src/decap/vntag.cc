// Cisco VN-Tag (EtherType 0x8926, IEEE 802.1Qbh draft): 4 bytes (direction, pointer, destination
// and source virtual interface, looped, version), then the EtherType of what follows.

#include "decap/steps.h"

namespace pushcap::decap {

Next vntag_step(Cursor& c) {
  if (!c.has(6)) return c.stop(Layer::kVnTag, Problem::kTruncated);
  const std::uint16_t type = c.be16(4);
  c.pos += 6;
  c.decoded(Layer::kVnTag);
  return after_ethertype(c, type);
}

}  // namespace pushcap::decap
