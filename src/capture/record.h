#pragma once
// One packet in a batch: where its bytes are and what the writer and filters need to know.

#include <cstdint>

#include "capture/link_format.h"

namespace pushcap::capture {

/// Record flags.
enum RecordFlag : std::uint16_t {
  /// The 16 bytes before `offset` are a little-endian classic pcap record header in this
  /// record's output resolution, so the writer can copy header and data as they are.
  kHasPcapHeader = 1u << 0,
  /// The timestamp does not fit in 64-bit nanoseconds (pcapng values near 2^64 units).
  kTsOverflow = 1u << 1,
  /// The record had no timestamp of its own (pcapng simple packet block); ts_ns is inherited.
  kNoTimestamp = 1u << 2,
};

/// An index entry for one packet; 32 bytes, built once by the reader, read by every target.
struct Record {
  std::uint64_t ts_ns = 0;      ///< nanoseconds since the epoch (raw header fields summed)
  std::uint32_t offset = 0;     ///< offset of the packet bytes in the batch buffer
  std::uint32_t caplen = 0;     ///< captured length
  std::uint32_t wirelen = 0;    ///< original length on the wire
  FormatId format = 0;          ///< index into the batch's FormatTable
  std::uint16_t flags = 0;      ///< RecordFlag bits
  std::uint32_t interface = 0;  ///< pcapng interface id within its section; 0 for classic pcap
};
static_assert(sizeof(Record) == 32);

}  // namespace pushcap::capture
