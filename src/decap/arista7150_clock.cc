#include "decap/arista7150_clock.h"

#include "decap/protocol_numbers.h"

#include <cmath>

#include "core/endian.h"
#include "decap/trailer.h"

namespace pushcap::decap {

bool read_arista7150_ticks(const std::uint8_t* frame, std::uint32_t len, bool fcs, TrailerRead& out) {
  const std::uint32_t fcs_len = fcs ? 4 : 0;
  if (len < 14 + 4 + fcs_len) return false;
  const std::uint32_t raw = load_be<std::uint32_t>(frame + len - fcs_len - 4);
  out.length = 4 + fcs_len;
  out.has_time = false;
  out.ticks = ((raw & 0xffffff00u) >> 1) | (raw & 0x7fu);
  return true;
}

bool Arista7150Clock::take_keyframe(const std::uint8_t* frame, std::uint32_t len, std::uint64_t capture_ns) {
  std::uint32_t pos = 12;
  for (int tags = 0; tags < 2 && pos + 4 <= len; ++tags) {  // up to two VLAN tags
    const std::uint16_t type = load_be<std::uint16_t>(frame + pos);
    if (type != ethertype::kVlan && type != ethertype::kServiceVlan) break;
    pos += 4;
  }
  if (pos + 2 + 20 > len || load_be<std::uint16_t>(frame + pos) != ethertype::kIpv4) return false;
  const std::uint8_t* ip = frame + pos + 2;
  const std::uint32_t ihl = (ip[0] & 0x0fu) * 4u;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != keyframe_protocol) return false;
  const std::uint32_t total = load_be<std::uint16_t>(ip + 2);
  if (total < ihl || pos + 2 + total > len) return false;
  const std::uint32_t payload = total - ihl;
  if (payload != 46 && payload != 62) return false;
  const std::uint8_t* kf = ip + ihl;
  const std::uint64_t asic = load_be<std::uint64_t>(kf);
  const std::uint64_t utc = load_be<std::uint64_t>(kf + 8);
  if (synced_ && asic > asic_ && utc > utc_) {
    // Measure the tick rate between keyframes; keep the nominal one if it is implausible.
    const double measured = static_cast<double>(utc - utc_) / static_cast<double>(asic - asic_);
    const double nominal = 1e9 / static_cast<double>(kNominalHz);
    if (std::fabs(measured - nominal) < nominal * 0.02) ns_per_tick_ = measured;
  }
  synced_ = true;
  asic_ = asic;
  utc_ = utc;
  captured_ = capture_ns;
  return true;
}

bool Arista7150Clock::to_utc(std::uint32_t ticks, std::uint64_t capture_ns, std::uint64_t& utc_ns) const {
  if (!synced_) return false;
  const std::int64_t age = static_cast<std::int64_t>(capture_ns - captured_);
  if (age > static_cast<std::int64_t>(kMaxKeyframeAgeNs) || -age > static_cast<std::int64_t>(kMaxKeyframeAgeNs)) {
    return false;
  }
  // Ticks elapsed since the keyframe as the capture clock sees them; the counter's value picks
  // the exact count among those congruent modulo 2^31 (one wrap is ~6.1 s).
  const double expected = static_cast<double>(age) / ns_per_tick_;
  const std::int64_t raw = static_cast<std::int64_t>((ticks - static_cast<std::uint32_t>(asic_)) & kTickMask);
  const std::int64_t wrap = std::int64_t{kTickMask} + 1;
  std::int64_t delta =
      raw +
      static_cast<std::int64_t>(std::llround((expected - static_cast<double>(raw)) / static_cast<double>(wrap))) * wrap;
  const std::int64_t ns = std::llround(static_cast<double>(delta) * ns_per_tick_);
  if (ns < 0 && static_cast<std::uint64_t>(-ns) > utc_) return false;
  utc_ns = utc_ + static_cast<std::uint64_t>(ns);
  return true;
}

}  // namespace pushcap::decap
