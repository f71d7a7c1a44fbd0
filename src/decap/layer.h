#pragma once
// The encapsulations pushcap can remove, and what can be wrong with one. A packet that cannot be
// decoded further is never an error (STYLE.md, Errors): it is passed on as far as it decoded
// cleanly, and the (layer, problem) pair is counted so the target's status and summary show it.

#include <array>
#include <cstddef>
#include <cstdint>

namespace pushcap::decap {

/// One encapsulation or vendor header; also indexes the per-layer counters.
enum class Layer : std::uint8_t {
  kEthernet,   ///< an Ethernet header, outer or inner
  kVlan,       ///< 802.1Q / 802.1ad / 0x9100 tag
  kMpls,       ///< MPLS label stack (and its pseudowire control word)
  kPppoe,      ///< PPPoE session header + PPP protocol
  kVnTag,      ///< Cisco VN-Tag (0x8926)
  kArista,     ///< Arista 0xD28B timestamp header (7280 header mode)
  kIpv4,       ///< IPv4 header carrying a tunnel, or the packet's own
  kIpv6,       ///< IPv6 header and its extension headers
  kUdp,        ///< UDP header carrying VXLAN, GENEVE, GRE or MPLS
  kGre,        ///< GRE (RFC 2784/2890), also GRE-in-UDP (RFC 8086)
  kErspan,     ///< ERSPAN type I, II, III
  kVxlan,      ///< VXLAN (RFC 7348)
  kGeneve,     ///< GENEVE (RFC 8926)
  kTrailer,    ///< a vendor trailer (Arista 7130 / Metamako, Cisco 3550 / Exablaze, Arista 7150)
  kTimestamp,  ///< taking the packet's time from a hardware timestamp
  kLinkType,   ///< a link type decap does not handle (the packet passes as it came)
  kCount
};

/// What stopped decoding at a layer.
enum class Problem : std::uint8_t {
  kTruncated,    ///< the captured bytes end inside the header
  kInvalid,      ///< a field contradicts the format or the enclosing lengths
  kUnsupported,  ///< a legal variant pushcap does not decode (GRE routing, ERSPAN frame type 7, ...)
  kTooDeep,      ///< more nested layers than DecapChain::kMaxDepth
  kFragmented,   ///< a tunnel inside an IP fragment: only the reassembled datagram could be decoded
  kMissing,      ///< the configured trailer or hardware timestamp is not there (or not plausible)
  kCount
};

inline constexpr std::size_t kLayerCount = static_cast<std::size_t>(Layer::kCount);
inline constexpr std::size_t kProblemCount = static_cast<std::size_t>(Problem::kCount);

/// "vlan", "gre", ...: the names used in status JSON, the summary and FilterFrame keys.
const char* layer_name(Layer layer);
/// "truncated", "invalid", ...
const char* problem_name(Problem problem);

/// Per-target decap counters, owned by the target's thread.
struct DecapCounters {
  /// Packets in which a layer was removed (or, for kTrailer/kTimestamp, applied).
  std::array<std::uint64_t, kLayerCount> removed{};
  /// Packets whose decoding stopped at (layer, problem); index layer * kProblemCount + problem.
  std::array<std::uint64_t, kLayerCount * kProblemCount> problems{};
  /// Arista 7150 keyframes seen (they pass unchanged and set the clock).
  std::uint64_t keyframes = 0;

  void count(Layer layer, Problem problem) {
    ++problems[static_cast<std::size_t>(layer) * kProblemCount + static_cast<std::size_t>(problem)];
  }
};

}  // namespace pushcap::decap
