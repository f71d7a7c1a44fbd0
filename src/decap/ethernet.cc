// An Ethernet II header inside a tunnel (VXLAN, GENEVE, ERSPAN, GRE 0x6558, an MPLS pseudowire):
// 6 bytes destination, 6 bytes source, 2 bytes EtherType (IEEE 802.3). It starts a new frame,
// whose addresses the output keeps.

#include "decap/steps.h"

namespace pushcap::decap {

Next ethernet_step(Cursor& c) {
  if (!c.has(14)) return c.stop(Layer::kEthernet, Problem::kTruncated);
  c.mac_off = c.pos;
  const std::uint16_t type = c.be16(12);
  c.pos += 14;
  return after_ethertype(c, type);
}

}  // namespace pushcap::decap
