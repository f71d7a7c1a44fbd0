// An IPv4 header (RFC 791). Decap descends only when it carries a tunnel: IP-in-IP (protocol 4,
// RFC 2003), IPv6-in-IPv4 (41, RFC 4213), GRE (47) or UDP to a tunnel port. The header must be
// consistent with the enclosing lengths; the datagram's end (total length) bounds what is inside,
// so Ethernet padding and vendor trailers never leak into an inner frame. A tunnel inside a
// fragment is not decoded (only the reassembled datagram could be).

#include "decap/steps.h"

namespace pushcap::decap {

Next ipv4_step(Cursor& c) {
  if (!c.has(10)) return c.stop(Layer::kIpv4, Problem::kTruncated);
  const std::uint8_t protocol = c.u8(9);
  if (!is_tunnel_protocol(protocol)) return Next::kDone;  // the payload: nothing more to remove
  if (!c.has(20)) return c.stop(Layer::kIpv4, Problem::kTruncated);
  const std::uint8_t vihl = c.u8(0);
  const std::uint32_t ihl = (vihl & 0x0fu) * 4u;
  // A total length of 0 is Linux BIG TCP / TSO (the datagram is longer than 64 KiB): it
  // extends to the enclosing end, as tcpdump reads it.
  const std::uint32_t total = c.be16(2) != 0 ? c.be16(2) : c.room();
  if ((vihl >> 4) != 4 || ihl < 20 || total < ihl || total > c.room()) return c.stop(Layer::kIpv4, Problem::kInvalid);
  if (!c.has(ihl)) return c.stop(Layer::kIpv4, Problem::kTruncated);
  const std::uint16_t frag = c.be16(6);
  if ((frag & 0x3fffu) != 0) {  // more-fragments flag or an offset
    // A UDP fragment is only a tunnel when its first fragment says so; others pass silently.
    if (protocol != 17) return c.stop(Layer::kIpv4, Problem::kFragmented);
    return Next::kDone;
  }
  c.end = c.pos + total;
  c.pos += ihl;
  return after_ip_protocol(c, protocol);
}

}  // namespace pushcap::decap
