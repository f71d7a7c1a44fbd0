#pragma once
// The time index of a complete segment (seg_N.idx, JSON): first and last timestamp, counts, the
// drops recorded while it was written, and the byte offset of every Nth record, so a time range
// is found without scanning the segment.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace pushcap::store {

/// Drop counters of a segment or a stream.
struct Drops {
  std::uint64_t kernel = 0;    ///< the kernel's ring was full (pcap_stats ps_drop)
  std::uint64_t iface = 0;     ///< the interface dropped (ps_ifdrop)
  std::uint64_t overflow = 0;  ///< pushcap's store writer was behind; never written
  [[nodiscard]] std::uint64_t total() const { return kernel + iface + overflow; }
};

/// What seg_N.idx says.
struct SegmentIndex {
  static constexpr std::uint64_t kEvery = 4096;  ///< a point every kEvery records
  std::uint64_t segment = 0;
  std::uint32_t linktype = 0;
  std::uint32_t snaplen = 0;
  std::uint64_t packets = 0;
  std::uint64_t file_bytes = 0;  ///< size of the segment file
  std::uint64_t first_ts = 0;    ///< ns; 0 when empty
  std::uint64_t last_ts = 0;
  std::uint64_t min_ts = 0;  ///< smallest and largest timestamp (they may arrive out of order)
  std::uint64_t max_ts = 0;
  Drops drops;                                                  ///< while this segment was being written
  bool recovered = false;                                       ///< closed by recovery after the capture died
  std::vector<std::pair<std::uint64_t, std::uint64_t>> points;  ///< (timestamp, byte offset of its record)

  /// Byte offset to start reading at to see every record with a timestamp >= ts (records before
  /// it are all earlier, given records in time order); 24 (after the file header) at worst.
  [[nodiscard]] std::uint64_t offset_for(std::uint64_t ts) const;
};

/// Writes `index` as DIR/seg_N.idx durably (temporary name, fsync, rename, directory fsync).
Result<void> write_index(const std::string& stream_dir, const SegmentIndex& index);
/// Reads DIR/seg_N.idx (at most 64 MiB); the error names the file and what is wrong.
Result<SegmentIndex> read_index(const std::string& stream_dir, std::uint64_t seq);

}  // namespace pushcap::store
