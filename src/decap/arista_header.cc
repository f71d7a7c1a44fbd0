// The Arista Vendor Specific Protocol header (EtherType 0xD28B) that 7280-series switches insert
// after the addresses in timestamp "header" mode. Layout (Arista EOS timestamping docs; the same
// fields as tcpdump's print-arista.c and Wireshark's packet-arista.c decode):
//   2 bytes sub-type: 0x0001 = timestamp
//   2 bytes version: bits 4-7 format (1 = 64-bit, 2 = 48-bit), bit 8 timescale (0 TAI, 1 UTC),
//                    bits 0-3 hardware info
//   64-bit format: 4 bytes seconds, 4 bytes nanoseconds
//   48-bit format: 2 bytes (low 16 bits of the) seconds, 4 bytes nanoseconds
//   2 bytes EtherType of what follows.

#include "decap/steps.h"

namespace pushcap::decap {

Next arista_step(Cursor& c) {
  if (!c.has(4)) return c.stop(Layer::kArista, Problem::kTruncated);
  const std::uint16_t subtype = c.be16(0);
  const std::uint16_t version = c.be16(2);
  const unsigned format = (version >> 4) & 0xfu;
  if (subtype != 0x0001 || (format != 1 && format != 2) || (version & 0xfe00u) != 0) {
    return c.stop(Layer::kArista, Problem::kUnsupported);
  }
  const bool is48 = format == 2;
  const std::uint32_t len = 4 + (is48 ? 6 : 8) + 2;
  if (!c.has(len)) return c.stop(Layer::kArista, Problem::kTruncated);
  const std::uint32_t sec = is48 ? c.be16(4) : c.be32(4);
  const std::uint32_t nsec = is48 ? c.be32(6) : c.be32(8);
  if (nsec >= 1'000'000'000u) return c.stop(Layer::kArista, Problem::kInvalid);
  if (!c.stamps.arista) {
    c.stamps.arista = true;
    c.stamps.arista_48 = is48;
    c.stamps.arista_tai = (version & 0x0100u) == 0;
    c.stamps.arista_sec = sec;
    c.stamps.arista_nsec = nsec;
  }
  const std::uint16_t type = c.be16(len - 2);
  c.pos += len;
  c.decoded(Layer::kArista);
  return after_ethertype(c, type);
}

}  // namespace pushcap::decap
