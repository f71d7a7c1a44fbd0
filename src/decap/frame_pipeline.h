#pragma once
// What a target does to each packet before its filters: remove a vendor trailer, take the
// hardware timestamp, and de-encapsulate (DESIGN.md, Architecture: decap -> frame filter -> BPF).
// One per target, used by the target's thread only. Packets that need no change come back as
// they are (pointing into the batch); changed ones point into the target's scratch buffer or
// into the batch at the inner frame.

#include <cstdint>
#include <vector>

#include "decap/arista7150_clock.h"
#include "decap/cursor.h"
#include "decap/frame_tags.h"
#include "decap/layer.h"
#include "decap/trailer.h"

namespace pushcap::decap {

/// A target's decap settings (config fields Decap, Trailer, TrailerFCS, HWTimestamp,
/// SrcMacTimestamp, VXLANPorts).
struct DecapOptions {
  bool decap = false;                        ///< remove encapsulations (Decap)
  TrailerKind trailer = TrailerKind::kNone;  ///< strip this vendor trailer (Trailer)
  bool trailer_fcs = false;                  ///< a 4-byte FCS follows the trailer (TrailerFCS)
  bool hw_timestamp = false;                 ///< use the hardware time of a trailer/header (HWTimestamp)
  bool src_mac_timestamp = false;            ///< Arista 7280 48-bit time in the source MAC (SrcMacTimestamp)
  std::vector<std::uint16_t> vxlan_ports;    ///< UDP ports carrying VXLAN besides 4789 (VXLANPorts)
  /// The most VXLANPorts a target may name (the chain holds 4789 and these).
  static constexpr std::size_t kMaxExtraVxlanPorts = ChainSettings::kMaxVxlanPorts - 1;
  bool decode_tags = false;  ///< FilterFrame needs layer values even without Decap
  bool operator==(const DecapOptions&) const = default;

  /// True when packets need any of this.
  [[nodiscard]] bool active() const {
    return decap || trailer != TrailerKind::kNone || hw_timestamp || src_mac_timestamp || decode_tags;
  }
};

/// A packet as the target's filters and writer see it.
struct Frame {
  const std::uint8_t* data = nullptr;
  std::uint32_t caplen = 0;
  std::uint32_t wirelen = 0;
  std::uint64_t ts_ns = 0;
  std::uint32_t linktype = 0;  ///< 1 (Ethernet) once decapsulated, else the input's
  bool changed = false;        ///< bytes, lengths or time differ from the input record
};

/// The per-target packet pipeline.
class FramePipeline {
 public:
  /// TAI - UTC since 2017-01-01 (no leap second has been announced since): Arista TAI stamps.
  static constexpr std::uint64_t kTaiOffsetSec = 37;

  explicit FramePipeline(DecapOptions options);

  /// Processes one packet. `tags` receives the FilterFrame values of its layers (the caller has
  /// already put capture.port in). The frame stays valid until the next call.
  Frame apply(const std::uint8_t* packet, std::uint32_t caplen, std::uint32_t wirelen, std::uint64_t ts_ns,
              std::uint32_t linktype, FrameTags& tags);

  [[nodiscard]] const DecapCounters& counters() const { return counters_; }
  [[nodiscard]] const DecapOptions& options() const { return options_; }

 private:
  bool hardware_time(const Cursor& c, const TrailerRead& trailer, bool trailer_found, std::uint64_t capture_ns,
                     std::uint64_t& out);
  Frame build(const Cursor& c, const std::uint8_t* packet, std::uint32_t caplen, std::uint32_t wirelen);

  DecapOptions options_;
  ChainSettings settings_;
  Arista7150Clock clock_;
  DecapCounters counters_;
  std::vector<std::uint8_t> scratch_;
};

/// Rebuilds full seconds from the low 16 bits that 48-bit stamps keep, taking the value nearest
/// the capture time (as SolarCapture's 7280 node does); correct while the two clocks agree
/// within 9 hours.
std::uint64_t widen_seconds16(std::uint16_t low, std::uint64_t capture_sec);

}  // namespace pushcap::decap
