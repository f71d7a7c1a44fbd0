#pragma once
// The state one packet's decoding carries from layer to layer. Each step (one file per
// encapsulation) reads the header at `pos`, checks it against the captured and the enclosing
// lengths, records its tags, moves `pos` past it and says what comes next; the chain
// (decap_chain.cc) dispatches. Nothing here allocates, throws or logs.

#include <cstdint>

#include "core/endian.h"
#include "decap/frame_tags.h"
#include "decap/layer.h"
#include "decap/protocol_numbers.h"

namespace pushcap::decap {

/// What starts at Cursor::pos: the step to run next.
enum class Next : std::uint8_t {
  kDone,       ///< nothing more to remove
  kEtherType,  ///< the payload of the current frame; Cursor::ethertype says what it is
  kEthernet,   ///< an Ethernet header (an inner frame)
  kVlan,
  kMpls,
  kPppoe,
  kVnTag,
  kArista,
  kIpv4,
  kIpv6,
  kUdp,
  kGre,
  kErspan2,
  kErspan3,
  kVxlan,
  kGeneve,
};

/// Marks a frame with no Ethernet addresses of its own (a raw IP capture): zeros are written.
inline constexpr std::uint32_t kNoMac = 0xffffffffu;

/// The output so far: the frame `mac_off` (12 address bytes) + `ethertype` + the bytes from
/// `payload_off` to `end`. Every place where a frame's payload type is known is a clean cut.
struct Cut {
  std::uint32_t mac_off = 0;
  std::uint32_t payload_off = 0;
  std::uint32_t end = 0;  ///< in wire bytes: may lie past the captured bytes of a snapped packet
  std::uint16_t ethertype = 0;
  bool set = false;
};

/// Hardware timestamps found in headers on the way (the outermost of each kind).
struct HeaderStamps {
  bool arista = false;      ///< an Arista 0xD28B header carried one
  bool arista_48 = false;   ///< ... in the 48-bit format (16-bit seconds)
  bool arista_tai = false;  ///< ... on the TAI timescale
  std::uint32_t arista_sec = 0;
  std::uint32_t arista_nsec = 0;
  bool erspan = false;           ///< an ERSPAN III header carried an absolute one
  bool erspan_relative = false;  ///< an ERSPAN III header carried only a relative one
  std::uint64_t erspan_ns = 0;
};

/// Settings of the chain that a step needs.
struct ChainSettings {
  static constexpr int kMaxVxlanPorts = 8;
  std::uint16_t vxlan_ports[kMaxVxlanPorts] = {udp_port::kVxlan};
  int vxlan_port_count = 1;
};

/// One packet being decoded.
struct Cursor {
  const std::uint8_t* p = nullptr;  ///< the packet
  std::uint32_t cap = 0;            ///< bytes captured and usable (a vendor trailer excluded)
  std::uint32_t end = 0;            ///< wire end of the innermost enclosing length (IP, UDP)
  std::uint32_t pos = 0;            ///< where the next header starts
  std::uint32_t mac_off = kNoMac;   ///< the addresses of the frame being decoded
  std::uint16_t ethertype = 0;      ///< with Next::kEtherType: the type of what is at pos
  Cut cut;
  HeaderStamps stamps;
  FrameTags* tags = nullptr;
  DecapCounters* counters = nullptr;
  const ChainSettings* settings = nullptr;

  /// True when `n` more bytes from pos were captured.
  [[nodiscard]] bool has(std::uint32_t n) const { return n <= cap - pos; }
  /// Bytes from pos to the enclosing end, in wire terms.
  [[nodiscard]] std::uint32_t room() const { return end > pos ? end - pos : 0; }
  [[nodiscard]] std::uint8_t u8(std::uint32_t off) const { return p[pos + off]; }
  [[nodiscard]] std::uint16_t be16(std::uint32_t off) const { return load_be<std::uint16_t>(p + pos + off); }
  [[nodiscard]] std::uint32_t be32(std::uint32_t off) const { return load_be<std::uint32_t>(p + pos + off); }

  /// The frame as decoded so far, with payload of type `type` starting at pos, is a clean cut.
  void commit(std::uint16_t type) {
    ethertype = type;
    cut = {mac_off, pos, end, type, true};
  }
  /// Counts that `layer` was removed.
  void decoded(Layer layer) { ++counters->removed[static_cast<std::size_t>(layer)]; }
  /// Stops decoding: the packet goes out as far as it decoded cleanly.
  Next stop(Layer layer, Problem problem) {
    counters->count(layer, problem);
    return Next::kDone;
  }
};

}  // namespace pushcap::decap
