#include "decap/decap_chain.h"

#include "core/pcap_format.h"
#include "decap/protocol_numbers.h"
#include "decap/steps.h"

namespace pushcap::decap {

LinkStart link_start(std::uint32_t linktype) {
  switch (linktype) {
    case pcap::kLinktypeEthernet:
      return LinkStart::kEthernet;
    case pcap::kLinktypeRaw:
    case pcap::kLinktypeIpv4:
    case pcap::kLinktypeIpv6:
      return LinkStart::kRawIp;
    case pcap::kLinktypeNull:
    case pcap::kLinktypeLoop:
      return LinkStart::kNull;
    default:
      return LinkStart::kNone;
  }
}

// The EtherType table. Every frame whose payload type is known is a clean cut.
Next after_ethertype(Cursor& c, std::uint16_t ethertype) {
  c.commit(ethertype);
  switch (ethertype) {
    case ethertype::kVlan:
    case ethertype::kServiceVlan:
    case ethertype::kQinQ:
      return Next::kVlan;
    case ethertype::kMplsUnicast:
    case ethertype::kMplsMulticast:
      return Next::kMpls;
    case ethertype::kPppoeSession:
      return Next::kPppoe;
    case ethertype::kVnTag:
      return Next::kVnTag;
    case ethertype::kAristaHeader:
      return Next::kArista;
    case ethertype::kIpv4:
      return Next::kIpv4;
    case ethertype::kIpv6:
      return Next::kIpv6;
    default:
      return Next::kDone;
  }
}

bool is_tunnel_protocol(std::uint8_t protocol) {
  return protocol == ip_protocol::kIpInIp || protocol == ip_protocol::kIpv6InIp || protocol == ip_protocol::kGre ||
         protocol == ip_protocol::kUdp;
}

// The IP protocol table.
Next after_ip_protocol(Cursor& c, std::uint8_t protocol) {
  switch (protocol) {
    case ip_protocol::kIpInIp:
    case ip_protocol::kIpv6InIp: {
      const Layer outer = c.cut.ethertype == ethertype::kIpv6 ? Layer::kIpv6 : Layer::kIpv4;
      c.decoded(outer);
      return enter_bare_ip(c, outer);
    }
    case ip_protocol::kGre:
      return Next::kGre;
    case ip_protocol::kUdp:
      return Next::kUdp;
    default:
      return Next::kDone;
  }
}

Next enter_bare_ip(Cursor& c, Layer layer) {
  if (!c.has(1)) return c.stop(layer, Problem::kTruncated);
  switch (c.u8(0) >> 4) {
    case 4:
      c.commit(ethertype::kIpv4);
      return Next::kIpv4;
    case 6:
      c.commit(ethertype::kIpv6);
      return Next::kIpv6;
    default:
      return c.stop(layer, Problem::kInvalid);
  }
}

namespace {

Next run_step(Cursor& c, Next step) {
  switch (step) {
    case Next::kEtherType:
      return after_ethertype(c, c.ethertype);
    case Next::kEthernet:
      return ethernet_step(c);
    case Next::kVlan:
      return vlan_step(c);
    case Next::kMpls:
      return mpls_step(c);
    case Next::kPppoe:
      return pppoe_step(c);
    case Next::kVnTag:
      return vntag_step(c);
    case Next::kArista:
      return arista_step(c);
    case Next::kIpv4:
      return ipv4_step(c);
    case Next::kIpv6:
      return ipv6_step(c);
    case Next::kUdp:
      return udp_step(c);
    case Next::kGre:
      return gre_step(c);
    case Next::kErspan2:
      return erspan2_step(c);
    case Next::kErspan3:
      return erspan3_step(c);
    case Next::kVxlan:
      return vxlan_step(c);
    case Next::kGeneve:
      return geneve_step(c);
    case Next::kDone:
      break;
  }
  return Next::kDone;
}

// The layer a step decodes, for the too-deep counter.
Layer layer_of(Next step) {
  switch (step) {
    case Next::kVlan:
      return Layer::kVlan;
    case Next::kMpls:
      return Layer::kMpls;
    case Next::kPppoe:
      return Layer::kPppoe;
    case Next::kVnTag:
      return Layer::kVnTag;
    case Next::kArista:
      return Layer::kArista;
    case Next::kIpv4:
      return Layer::kIpv4;
    case Next::kIpv6:
      return Layer::kIpv6;
    case Next::kUdp:
      return Layer::kUdp;
    case Next::kGre:
      return Layer::kGre;
    case Next::kErspan2:
    case Next::kErspan3:
      return Layer::kErspan;
    case Next::kVxlan:
      return Layer::kVxlan;
    case Next::kGeneve:
      return Layer::kGeneve;
    default:
      return Layer::kEthernet;
  }
}

}  // namespace

void DecapChain::run(Cursor& c, LinkStart start) {
  Next next = Next::kDone;
  c.pos = 0;
  switch (start) {
    case LinkStart::kEthernet:
      if (!c.has(14)) {
        c.stop(Layer::kEthernet, Problem::kTruncated);
        return;
      }
      c.mac_off = 0;
      c.pos = 14;
      next = after_ethertype(c, load_be<std::uint16_t>(c.p + 12));
      break;
    case LinkStart::kNull:
      if (!c.has(4)) {
        c.stop(Layer::kLinkType, Problem::kTruncated);
        return;
      }
      c.pos = 4;
      [[fallthrough]];
    case LinkStart::kRawIp:
      c.mac_off = kNoMac;
      next = enter_bare_ip(c, Layer::kLinkType);
      break;
    case LinkStart::kNone:
      c.counters->count(Layer::kLinkType, Problem::kUnsupported);
      return;
  }
  for (int depth = 0; next != Next::kDone; ++depth) {
    if (depth == kMaxDepth) {
      c.stop(layer_of(next), Problem::kTooDeep);
      return;
    }
    next = run_step(c, next);
  }
}

}  // namespace pushcap::decap
