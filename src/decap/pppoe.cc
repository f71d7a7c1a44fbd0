// A PPPoE session header (EtherType 0x8864, RFC 2516, 4): version 1 and type 1 in one byte, code
// 0, 2 bytes session id, 2 bytes length of the PPPoE payload; then the 2-byte PPP protocol
// (RFC 1661): 0x0021 IPv4, 0x0057 IPv6, 0x0281 MPLS, or its 1-byte compressed form (protocol
// field compression, RFC 1661 6.5: an odd first byte). Other PPP protocols (LCP, IPCP, PAP, ...)
// are control traffic, not encapsulation: the frame passes with its PPPoE header.

#include "decap/protocol_numbers.h"
#include "decap/steps.h"

namespace pushcap::decap {

Next pppoe_step(Cursor& c) {
  if (!c.has(7)) return c.stop(Layer::kPppoe, Problem::kTruncated);
  if (c.u8(0) != 0x11 || c.u8(1) != 0x00) return c.stop(Layer::kPppoe, Problem::kInvalid);
  const std::uint32_t length = c.be16(4);
  if (length < 2 || length + 6 > c.room()) return c.stop(Layer::kPppoe, Problem::kInvalid);
  const bool compressed = (c.u8(6) & 1u) != 0;
  if (!compressed && !c.has(8)) return c.stop(Layer::kPppoe, Problem::kTruncated);
  std::uint16_t type = 0;
  switch (compressed ? c.u8(6) : c.be16(6)) {
    case ppp_protocol::kIpv4:
      type = ethertype::kIpv4;
      break;
    case ppp_protocol::kIpv6:
      type = ethertype::kIpv6;
      break;
    case ppp_protocol::kMplsUnicast:
      type = ethertype::kMplsUnicast;
      break;
    default:
      return Next::kDone;  // PPP control traffic: the PPPoE frame is the payload
  }
  c.end = c.pos + 6 + length;
  c.pos += compressed ? 7 : 8;
  c.decoded(Layer::kPppoe);
  return after_ethertype(c, type);
}

}  // namespace pushcap::decap
