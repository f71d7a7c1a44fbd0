#pragma once
// Arista 7150 timestamps. The switch appends (or writes over the FCS) a 4-byte field holding a
// 31-bit count of its ASIC clock (350 MHz nominal, wrapping every ~6.1 s), and periodically sends
// a keyframe that pairs the full 64-bit ASIC time with UTC. This clock turns a packet's ticks
// into UTC from the last keyframe, using the capture time to tell which wrap of the counter the
// ticks belong to. Source: Arista EOS "Timestamping on the 7150 Series" and "Decoding UTC from
// the timestamps on 7150 Series"; the field packing (bit 7 of the field unused) and the keyframe
// layout are those AMD's MIT-licensed SolarCapture sc_arista7150_ts node decodes.
//
// Keyframe: an IPv4 packet (protocol 253 by default) whose payload is, big-endian:
//   v1 (46 bytes): asic_time u64, utc_ns u64, last_sync_ns u64, keyframe_ts_ns u64, drops u64,
//                  device u16, egress interface u16, fcs_type u8, reserved u8
//   v2 (62 bytes, EOS 4.13+): asic_time, utc_ns, last_sync_ns, skew numerator u64, skew
//                  denominator u64, keyframe_ts_ns, drops, device, interface, fcs_type, reserved
// Ticks field: raw 32 bits r -> ticks = ((r & 0xffffff00) >> 1) | (r & 0x7f).

#include <cstdint>

namespace pushcap::decap {

class Arista7150Clock {
 public:
  static constexpr std::uint64_t kNominalHz = 350'000'000;
  static constexpr std::uint32_t kTickMask = 0x7fffffffu;
  /// Ticks further than this (in capture time) from the last keyframe are not converted.
  static constexpr std::uint64_t kMaxKeyframeAgeNs = 60'000'000'000ull;

  /// True when `frame` (an Ethernet frame, `len` captured bytes) is a keyframe; it then sets the clock.
  bool take_keyframe(const std::uint8_t* frame, std::uint32_t len, std::uint64_t capture_ns);
  /// Converts a packet's ticks to UTC ns; false with no recent keyframe.
  bool to_utc(std::uint32_t ticks, std::uint64_t capture_ns, std::uint64_t& utc_ns) const;

  /// The IP protocol keyframes are sent with (the switch's default is 253).
  std::uint8_t keyframe_protocol = 253;

 private:
  bool synced_ = false;
  std::uint64_t asic_ = 0;  // 64-bit ASIC time of the last keyframe
  std::uint64_t utc_ = 0;
  std::uint64_t captured_ = 0;  // capture time of the last keyframe
  double ns_per_tick_ = 1e9 / static_cast<double>(kNominalHz);
};

}  // namespace pushcap::decap
