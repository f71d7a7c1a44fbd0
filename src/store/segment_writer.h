#pragma once
// Writes one store segment: a classic nanosecond pcap file under a hidden name
// (.seg_N.pcap.part), appended in whole records, then made durable, indexed and renamed to
// seg_N.pcap when full (docs/DESIGN.md, Durable files).

#include <cstdint>
#include <string>

#include "core/fd.h"
#include "core/pcap_format.h"
#include "core/result.h"
#include "store/segment_index.h"

namespace pushcap::store {

/// Size of the pcap file header at the start of every segment.
inline constexpr std::uint64_t kSegmentHeader = pcap::kFileHeaderSize;

/// One open segment. Movable, not copyable; single-threaded.
class SegmentWriter {
 public:
  /// Creates DIR/.seg_N.pcap.part (O_EXCL) and writes the pcap header.
  static Result<SegmentWriter> create(const std::string& stream_dir, std::uint64_t seq, std::uint32_t linktype,
                                      std::uint32_t snaplen);

  /// Appends whole classic pcap records (16-byte little-endian headers with nanoseconds, then
  /// the bytes); their times go into the index.
  Result<void> append(const std::uint8_t* records, std::size_t len);
  /// fdatasync: what was appended is durable.
  Result<void> sync();
  /// Makes the segment durable, writes its index, renames it to seg_N.pcap and syncs the
  /// directory; `drops` are the drops counted while it was written.
  Result<SegmentIndex> finish(const Drops& drops);

  [[nodiscard]] std::uint64_t seq() const { return index_.segment; }
  [[nodiscard]] std::uint64_t size() const { return size_; }
  [[nodiscard]] std::uint64_t packets() const { return index_.packets; }
  [[nodiscard]] const std::string& path() const { return part_; }

 private:
  std::string dir_;
  std::string part_;
  Fd fd_;
  std::uint64_t size_ = 0;
  SegmentIndex index_;
};

/// Scans whole records in `data` (pcap records as the segment holds them) into `index`, as if
/// they started at byte `offset` of the segment; returns the bytes of whole records.
std::size_t index_records(const std::uint8_t* data, std::size_t len, std::uint64_t offset, SegmentIndex& index);

}  // namespace pushcap::store
