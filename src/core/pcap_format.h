#pragma once
// The classic pcap file format, in one place: its magic numbers, header and record sizes, and the
// 24-byte file header every pcap file pushcap writes (splits, store segments) or hands to libpcap
// (BPF programs) starts with. The format is libpcap's savefile format, as described in
// draft-ietf-opsawg-pcap (sections 4 and 5).

#include <cstddef>
#include <cstdint>

namespace pushcap::pcap {

/// Magic number of a file with microsecond timestamps (written in the file's byte order).
inline constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
/// Magic number of a file with nanosecond timestamps.
inline constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
/// The version every writer puts in the header (2.4).
inline constexpr std::uint16_t kVersionMajor = 2;
inline constexpr std::uint16_t kVersionMinor = 4;
/// Size of the file header.
inline constexpr std::size_t kFileHeaderSize = 24;
/// Size of each record header (ts seconds, ts fraction, captured length, wire length).
inline constexpr std::size_t kRecordHeaderSize = 16;
/// Offset of the snap length field in the file header.
inline constexpr std::size_t kSnaplenOffset = 16;
/// libpcap's largest snap length (MAXIMUM_SNAPLEN); also the bound a record's length is checked
/// against when reading.
inline constexpr std::uint32_t kMaxSnaplen = 262144;

/// The first four bytes of a pcapng file (the Section Header Block type, RFC draft
/// draft-ietf-opsawg-pcapng section 4.1); the same in either byte order.
inline constexpr std::uint32_t kPcapngSectionHeader = 0x0A0D0D0A;

/// LINKTYPE_ values pushcap names in code (https://www.tcpdump.org/linktypes.html).
inline constexpr std::uint32_t kLinktypeNull = 0;  ///< BSD loopback
inline constexpr std::uint32_t kLinktypeEthernet = 1;
inline constexpr std::uint32_t kLinktypeRaw = 101;   ///< raw IPv4 or IPv6
inline constexpr std::uint32_t kLinktypeLoop = 108;  ///< OpenBSD loopback
inline constexpr std::uint32_t kLinktypeIpv4 = 228;
inline constexpr std::uint32_t kLinktypeIpv6 = 229;

/// What a file header says.
struct FileHeader {
  std::uint32_t linktype = kLinktypeEthernet;
  std::uint32_t snaplen = kMaxSnaplen;  ///< 0 is written as kMaxSnaplen (pcapng's "no limit")
  bool nano = false;                    ///< nanosecond timestamps
  bool big_endian = false;              ///< write the fields big-endian (libpcap reads both)
};

/// Writes the 24-byte file header into `out`.
void write_file_header(const FileHeader& header, std::uint8_t* out);

}  // namespace pushcap::pcap
