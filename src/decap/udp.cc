// A UDP header (RFC 768) whose destination port names a tunnel: VXLAN 4789 (RFC 7348; more
// ports by option, e.g. Linux's 8472), GENEVE 6081 (RFC 8926), GRE-in-UDP 4754 (RFC 8086),
// MPLS-in-UDP 6635 (RFC 7510). The UDP length bounds the tunnel's payload.

#include "decap/protocol_numbers.h"
#include "decap/steps.h"

namespace pushcap::decap {

Next udp_step(Cursor& c) {
  if (!c.has(8)) return c.stop(Layer::kUdp, Problem::kTruncated);
  const std::uint16_t port = c.be16(2);
  Next next = Next::kDone;
  switch (port) {
    case udp_port::kGeneve:
      next = Next::kGeneve;
      break;
    case udp_port::kGreInUdp:
      next = Next::kGre;
      break;
    case udp_port::kMplsInUdp:
      next = Next::kMpls;
      break;
    default:
      for (int i = 0; i < c.settings->vxlan_port_count; ++i) {
        if (port == c.settings->vxlan_ports[i]) next = Next::kVxlan;
      }
  }
  if (next == Next::kDone) return Next::kDone;  // ordinary UDP
  // Length 0: a UDP jumbogram (RFC 2675) or BIG TCP/GSO capture; it extends to the enclosing end.
  const std::uint32_t length = c.be16(4) != 0 ? c.be16(4) : c.room();
  if (length < 8 || length > c.room()) return c.stop(Layer::kUdp, Problem::kInvalid);
  c.end = c.pos + length;
  c.pos += 8;
  return next;
}

}  // namespace pushcap::decap
