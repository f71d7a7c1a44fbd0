#pragma once
// The protocol numbers the decap steps dispatch on, named once: EtherTypes (IEEE registry;
// also GRE and GENEVE protocol types), IP protocol numbers (IANA) and the UDP ports of tunnels.

#include <cstdint>

namespace pushcap::decap {

namespace ethertype {
inline constexpr std::uint16_t kIpv4 = 0x0800;
inline constexpr std::uint16_t kIpv6 = 0x86dd;
inline constexpr std::uint16_t kVlan = 0x8100;         ///< 802.1Q
inline constexpr std::uint16_t kServiceVlan = 0x88a8;  ///< 802.1ad
inline constexpr std::uint16_t kQinQ = 0x9100;         ///< pre-standard QinQ
inline constexpr std::uint16_t kMplsUnicast = 0x8847;
inline constexpr std::uint16_t kMplsMulticast = 0x8848;
inline constexpr std::uint16_t kPppoeSession = 0x8864;
inline constexpr std::uint16_t kVnTag = 0x8926;
inline constexpr std::uint16_t kAristaHeader = 0xd28b;
inline constexpr std::uint16_t kTransparentEthernet = 0x6558;  ///< an Ethernet frame (GRE, GENEVE)
inline constexpr std::uint16_t kErspan2 = 0x88be;              ///< ERSPAN type I and II (GRE)
inline constexpr std::uint16_t kErspan3 = 0x22eb;              ///< ERSPAN type III (GRE)
}  // namespace ethertype

namespace ip_protocol {
inline constexpr std::uint8_t kIpInIp = 4;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIpv6InIp = 41;
inline constexpr std::uint8_t kGre = 47;
}  // namespace ip_protocol

namespace udp_port {
inline constexpr std::uint16_t kVxlan = 4789;  ///< RFC 7348 (more by VXLANPorts)
inline constexpr std::uint16_t kGreInUdp = 4754;
inline constexpr std::uint16_t kGeneve = 6081;
inline constexpr std::uint16_t kMplsInUdp = 6635;
}  // namespace udp_port

namespace ppp_protocol {
inline constexpr std::uint16_t kIpv4 = 0x0021;
inline constexpr std::uint16_t kIpv6 = 0x0057;
inline constexpr std::uint16_t kMplsUnicast = 0x0281;
}  // namespace ppp_protocol

}  // namespace pushcap::decap
