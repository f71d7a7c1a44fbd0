#pragma once
// The chain of decap steps: starts at a packet's link layer, runs the step each header names
// (tables from EtherType, IP protocol and UDP port to step, in decap_chain.cc) up to a fixed
// depth, and leaves in the cursor the innermost clean cut and the tags and timestamps it met.

#include <cstdint>

#include "decap/cursor.h"

namespace pushcap::decap {

/// Where a link type's packets start, for the chain.
enum class LinkStart : std::uint8_t {
  kEthernet,  ///< LINKTYPE_ETHERNET (1)
  kRawIp,     ///< LINKTYPE_RAW (101), IPV4 (228), IPV6 (229): IP, version from the first nibble
  kNull,      ///< LINKTYPE_NULL (0), LOOP (108): a 4-byte address family, then IP
  kNone,      ///< any other link type: not decapsulated
};

/// How decap reads packets of `linktype`.
LinkStart link_start(std::uint32_t linktype);

/// Runs the steps over one packet.
class DecapChain {
 public:
  /// Steps one packet may run before it counts as too deep (QinQ in VXLAN in GRE in ... ).
  static constexpr int kMaxDepth = 32;

  /// Decodes from the link layer; the cursor's p, cap, end, tags, counters and settings must be set.
  static void run(Cursor& c, LinkStart start);
};

}  // namespace pushcap::decap
