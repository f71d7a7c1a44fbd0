#pragma once
// Vendor trailers: metadata a capture switch or tap appends to the end of each frame. They
// cannot be detected reliably from the bytes, so a target names the one its capture carries
// (DecapOptions::trailer). Each reader checks the trailer's own consistency (and that its time
// lies within kMaxSkewSec of the capture time), then says how many bytes to remove and what time
// the hardware stamped. Byte layouts and their sources are in each reader's file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decap/frame_tags.h"

namespace pushcap::decap {

/// Which trailer a target's packets carry.
enum class TrailerKind : std::uint8_t {
  kNone,
  kA7130,  ///< Arista 7130 (MetaWatch) / Metamako: metamako_trailer.cc
  kC3550,  ///< Cisco Nexus 3550 (ExaLINK Fusion) / Exablaze: exablaze_trailer.cc
  kA7150,  ///< Arista 7150: a 31-bit tick counter, made UTC by keyframes: arista7150_clock.cc
};

/// The config name of a kind ("a7130", ...).
const char* trailer_kind_name(TrailerKind kind);
/// Parses a config name; also accepts "metamako", "exablaze", "none".
std::optional<TrailerKind> parse_trailer_kind(std::string_view name);
/// The accepted names, for error messages.
std::string trailer_kind_names();

/// A trailer found at the end of a frame.
struct TrailerRead {
  std::uint32_t length = 0;  ///< bytes to remove from the end (with the FCS after it, if any)
  bool has_time = false;     ///< the trailer carries an absolute time
  std::uint64_t time_ns = 0;
  std::uint32_t ticks = 0;  ///< Arista 7150: the tick counter (made absolute by the clock)
};

/// Trailers whose time is further than this from the capture's are taken as absent.
inline constexpr std::uint64_t kMaxSkewSec = 30ull * 24 * 3600;

/// Each reads the trailer at the end of `frame` (`len` captured bytes, the whole frame); `fcs`:
/// a 4-byte FCS follows the trailer. False when the bytes are not a valid trailer.
bool read_metamako_trailer(const std::uint8_t* frame, std::uint32_t len, bool fcs, std::uint64_t capture_ns,
                           TrailerRead& out, FrameTags& tags);
bool read_exablaze_trailer(const std::uint8_t* frame, std::uint32_t len, bool fcs, std::uint64_t capture_ns,
                           TrailerRead& out, FrameTags& tags);
bool read_arista7150_ticks(const std::uint8_t* frame, std::uint32_t len, bool fcs, TrailerRead& out);

/// True when `sec` lies within kMaxSkewSec of the capture time.
inline bool near_capture(std::uint64_t sec, std::uint64_t capture_ns) {
  const std::uint64_t cap = capture_ns / 1'000'000'000u;
  return (sec > cap ? sec - cap : cap - sec) <= kMaxSkewSec;
}

}  // namespace pushcap::decap
