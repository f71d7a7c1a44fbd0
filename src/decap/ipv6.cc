// An IPv6 header (RFC 8200) and its extension headers: hop-by-hop (0), routing (43) and
// destination options (60) of (length + 1) * 8 bytes, fragment (44, 8 bytes), authentication
// (51, RFC 4302: (length + 2) * 4 bytes). Decap descends only into a tunnel (IPv4 4, IPv6 41,
// GRE 47, UDP 17); a payload length of 0 (a jumbogram, RFC 2675) extends to the enclosing end.

#include "decap/steps.h"

namespace pushcap::decap {
namespace {

constexpr int kMaxExtensionHeaders = 8;

}  // namespace

Next ipv6_step(Cursor& c) {
  if (!c.has(40)) return c.stop(Layer::kIpv6, Problem::kTruncated);
  const std::uint32_t payload = c.be16(4);
  std::uint8_t next = c.u8(6);
  if ((c.u8(0) >> 4) != 6) return c.stop(Layer::kIpv6, Problem::kInvalid);
  // The payload length is checked only when a tunnel is inside: the packet's own payload is not ours to judge.
  const bool consistent = payload + 40 <= c.room();
  if (payload != 0 && consistent) c.end = c.pos + 40 + payload;
  c.pos += 40;
  for (int i = 0;; ++i) {
    std::uint32_t len = 0;
    switch (next) {
      case 0:
      case 43:
      case 60:
        if (!c.has(2)) return c.stop(Layer::kIpv6, Problem::kTruncated);
        len = (c.u8(1) + 1u) * 8u;
        break;
      case 51:
        if (!c.has(2)) return c.stop(Layer::kIpv6, Problem::kTruncated);
        len = (c.u8(1) + 2u) * 4u;
        break;
      case 44:
        if (!c.has(8)) return c.stop(Layer::kIpv6, Problem::kTruncated);
        if ((c.be16(2) & 0xfff9u) != 0) {  // an offset or more fragments: not the whole datagram
          if (is_tunnel_protocol(c.u8(0)) && c.u8(0) != 17) return c.stop(Layer::kIpv6, Problem::kFragmented);
          return Next::kDone;
        }
        len = 8;
        break;
      default:
        if (!is_tunnel_protocol(next)) return Next::kDone;
        if (!consistent) return c.stop(Layer::kIpv6, Problem::kInvalid);
        return after_ip_protocol(c, next);
    }
    if (i == kMaxExtensionHeaders) return c.stop(Layer::kIpv6, Problem::kTooDeep);
    if (!c.has(len)) return c.stop(Layer::kIpv6, Problem::kTruncated);
    if (len > c.room()) return c.stop(Layer::kIpv6, Problem::kInvalid);
    next = c.u8(0);
    c.pos += len;
  }
}

}  // namespace pushcap::decap
