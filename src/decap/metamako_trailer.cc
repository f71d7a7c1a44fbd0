// The Arista 7130 (MetaWatch) / Metamako trailer, appended after the original frame:
//   4 bytes original FCS
//   N x 4 bytes TLV extensions (only when flag 0x02 is set)
//   4 bytes seconds, 4 bytes nanoseconds (big-endian, UTC)
//   1 byte flags (0x01 original FCS valid, 0x02 extensions present, ...)
//   2 bytes source device id, 1 byte source port id
// and, when the capture kept it, the frame's new 4-byte FCS. Extensions are walked backwards
// from the seconds field: each starts with a word whose low 5 bits are its tag, bit 5 marks the
// last one, and bits 6-7 (tag 0x1F: bits 6-15, plus one) give the number of data words before
// it. Source: Arista MetaWatch user guide, "Trailer format"; the same layout as Wireshark's
// packet-metamako.c decodes.

#include "decap/trailer.h"

#include "core/endian.h"

namespace pushcap::decap {

bool read_metamako_trailer(const std::uint8_t* frame, std::uint32_t len, bool fcs, std::uint64_t capture_ns,
                           TrailerRead& out, FrameTags& tags) {
  const std::uint32_t fcs_len = fcs ? 4 : 0;
  // 14 bytes of Ethernet header must remain before the trailer.
  if (len < 14 + 16 + fcs_len) return false;
  std::uint32_t at = len - fcs_len;  // end of the trailer
  const std::uint8_t* meta = frame + at - 4;
  const std::uint8_t flags = meta[0];
  const std::uint16_t device = load_be<std::uint16_t>(meta + 1);
  const std::uint8_t port = meta[3];
  const std::uint32_t sec = load_be<std::uint32_t>(frame + at - 12);
  const std::uint32_t nsec = load_be<std::uint32_t>(frame + at - 8);
  if (sec == 0 || nsec >= 1'000'000'000u || !near_capture(sec, capture_ns)) return false;
  at -= 12;
  if ((flags & 0x02u) != 0) {
    for (int tlv = 0;; ++tlv) {
      if (tlv == 64 || at < 14 + 8) return false;  // no end marker within reach
      const std::uint32_t word = load_be<std::uint32_t>(frame + at - 4);
      std::uint32_t words = (word >> 6) & 0x3u;
      if ((word & 0x1fu) == 0x1fu) words = ((word >> 6) & 0x3ffu) + 1;
      const std::uint32_t bytes = 4 + words * 4;
      if (bytes + 4 + 14 > at) return false;
      at -= bytes;
      if ((word & 0x20u) != 0) break;  // the last extension
    }
  }
  at -= 4;  // original FCS
  out.length = len - at;
  out.has_time = true;
  out.time_ns = std::uint64_t{sec} * 1'000'000'000u + nsec;
  tags.add(TagKey::kA7130SrcDevice, device);
  tags.add(TagKey::kA7130SrcPort, port);
  return true;
}

}  // namespace pushcap::decap
