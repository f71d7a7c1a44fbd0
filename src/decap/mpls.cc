// An MPLS label stack (EtherType 0x8847/0x8848, RFC 3032; also UDP port 6635, RFC 7510): 4-byte
// entries of 20 bits label, 3 bits traffic class, 1 bit bottom of stack, 8 bits TTL. After the
// bottom entry the first nibble tells the payload (RFC 4385, 3): 4 IPv4, 6 IPv6, 0 the
// pseudowire control word, then an Ethernet frame (RFC 4448). An Ethernet pseudowire without a
// control word cannot be told from IP reliably and is passed as it is.

#include "decap/steps.h"

namespace pushcap::decap {
namespace {

constexpr int kMaxLabels = 16;

// A plausible IPv4 header: the version nibble alone cannot be trusted after a label stack.
bool looks_like_ipv4(const Cursor& c) {
  const std::uint32_t ihl = (c.u8(0) & 0x0fu) * 4u;
  const std::uint32_t total = c.be16(2);
  return ihl >= 20 && total >= ihl && total <= c.room();
}

bool looks_like_ipv6(const Cursor& c) {
  const std::uint32_t payload = c.be16(4);
  return payload == 0 || payload + 40 <= c.room();
}

}  // namespace

Next mpls_step(Cursor& c) {
  for (int i = 0;; ++i) {
    if (i == kMaxLabels) return c.stop(Layer::kMpls, Problem::kTooDeep);
    if (!c.has(4)) return c.stop(Layer::kMpls, Problem::kTruncated);
    const std::uint32_t entry = c.be32(0);
    c.tags->add(TagKey::kMplsLabel, entry >> 12);
    c.pos += 4;
    if ((entry & 0x100u) != 0) break;  // bottom of stack
  }
  if (!c.has(1)) return c.stop(Layer::kMpls, Problem::kTruncated);
  switch (c.u8(0) >> 4) {
    case 4:
      if (!c.has(20)) return c.stop(Layer::kMpls, Problem::kTruncated);
      if (!looks_like_ipv4(c)) return c.stop(Layer::kMpls, Problem::kUnsupported);
      c.decoded(Layer::kMpls);
      return enter_bare_ip(c, Layer::kMpls);
    case 6:
      if (!c.has(40)) return c.stop(Layer::kMpls, Problem::kTruncated);
      if (!looks_like_ipv6(c)) return c.stop(Layer::kMpls, Problem::kUnsupported);
      c.decoded(Layer::kMpls);
      return enter_bare_ip(c, Layer::kMpls);
    case 0:  // pseudowire control word, then the customer's Ethernet frame
      if (!c.has(4)) return c.stop(Layer::kMpls, Problem::kTruncated);
      c.pos += 4;
      c.decoded(Layer::kMpls);
      return Next::kEthernet;
    default:
      return c.stop(Layer::kMpls, Problem::kUnsupported);
  }
}

}  // namespace pushcap::decap
