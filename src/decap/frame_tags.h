#pragma once
// The values a packet's layers carry that FilterFrame can select on (VLAN ids, MPLS labels,
// tunnel keys, vendor port ids). Filled by the decap chain and the trailer readers, read by
// filter::FrameFilter; a fixed-size array, so filling it costs no allocation.

#include <cstdint>

namespace pushcap::decap {

/// A FilterFrame key with a numeric value.
enum class TagKey : std::uint8_t {
  kCapturePort,     ///< capture.port: the pcapng interface id (0 for classic pcap)
  kA7130SrcDevice,  ///< a7130.srcdevice: Metamako trailer source device id
  kA7130SrcPort,    ///< a7130.srcport: Metamako trailer source port
  kC3550SrcPort,    ///< c3550.srcport: Exablaze / Cisco 3550 trailer port
  kVlanId,          ///< vlan.id: every 802.1Q/ad tag, outermost first
  kMplsLabel,       ///< mpls.label: every label of every stack
  kGreKey,          ///< gre.key
  kErspanSession,   ///< erspan.session: the session (span) id of type II and III
  kVxlanVni,        ///< vxlan.vni
  kGeneveVni,       ///< geneve.vni
  kCount
};

/// The tags found in one packet, in the order the layers were met.
struct FrameTags {
  static constexpr int kMax = 32;  ///< further tags of a deeply nested packet are not kept
  struct Tag {
    TagKey key;
    std::uint32_t value;
  };
  Tag items[kMax];
  int count = 0;

  void clear() { count = 0; }
  void add(TagKey key, std::uint32_t value) {
    if (count < kMax) items[count++] = {key, value};
  }
};

}  // namespace pushcap::decap
