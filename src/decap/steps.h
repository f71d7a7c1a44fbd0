#pragma once
// One decoding step per encapsulation, each in a file of its own; each knows only its own
// header and names what follows it. decap_chain.cc holds the tables that chain them.

#include "decap/cursor.h"

namespace pushcap::decap {

// Link layer and shims between the addresses and the payload.
Next ethernet_step(Cursor& c);  // ethernet.cc: an inner Ethernet header
Next vlan_step(Cursor& c);      // vlan.cc: 802.1Q 0x8100, 802.1ad 0x88a8, 0x9100
Next vntag_step(Cursor& c);     // vntag.cc: Cisco VN-Tag 0x8926
Next arista_step(Cursor& c);    // arista_header.cc: Arista 0xD28B timestamp header
Next pppoe_step(Cursor& c);     // pppoe.cc: PPPoE session 0x8864
Next mpls_step(Cursor& c);      // mpls.cc: label stack, then IP or a pseudowire

// IP and the tunnels over it.
Next ipv4_step(Cursor& c);     // ipv4.cc
Next ipv6_step(Cursor& c);     // ipv6.cc (with extension headers)
Next udp_step(Cursor& c);      // udp.cc: dispatch on the destination port
Next gre_step(Cursor& c);      // gre.cc
Next erspan2_step(Cursor& c);  // erspan.cc: type II
Next erspan3_step(Cursor& c);  // erspan.cc: type III (+ platform subheader)
Next vxlan_step(Cursor& c);    // vxlan.cc
Next geneve_step(Cursor& c);   // geneve.cc

// Shared dispatch (decap_chain.cc).
/// What follows a frame whose payload type is `ethertype`; commits the frame as a clean cut.
Next after_ethertype(Cursor& c, std::uint16_t ethertype);
/// What follows an IP header whose protocol (next header) is `protocol`; pos is at its payload.
Next after_ip_protocol(Cursor& c, std::uint8_t protocol);
/// An IP packet starting at pos inside a tunnel with no Ethernet header of its own: it keeps
/// the enclosing frame's addresses. `layer` names the carrier for its counters.
Next enter_bare_ip(Cursor& c, Layer layer);
/// True when `protocol` is one decap descends into (IP-in-IP, GRE, UDP).
bool is_tunnel_protocol(std::uint8_t protocol);

}  // namespace pushcap::decap
