#pragma once
// Recovery of streams whose capture died (SIGKILL, power cut): the open segment is cut after
// its last whole record, indexed and renamed, the watermark is closed, and stream.json says
// what was lost: packets after the last published watermark may not have been stored.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/segment_index.h"

namespace pushcap::store {

/// What recovering one stream did.
struct RecoveredStream {
  std::string name;
  std::uint64_t last_watermark_ts = 0;  ///< every packet below it was stored
  std::uint64_t segment = 0;            ///< the open segment (0 when there was none)
  std::uint64_t packets_kept = 0;       ///< whole records kept in it
  std::uint64_t cut_bytes = 0;          ///< bytes of a torn record cut from its end
  std::uint64_t last_ts = 0;            ///< newest packet kept
};

/// Cuts a segment file after its last whole, plausible record; returns the kept records'
/// count, the bytes cut, and the time index of what was kept, built in the same read (the
/// file is not renamed; the index's segment and format fields are the caller's).
struct CutResult {
  std::uint64_t packets = 0;
  std::uint64_t kept_bytes = 0;
  std::uint64_t cut_bytes = 0;
  SegmentIndex index;
};
Result<CutResult> cut_torn_tail(const std::string& path, std::uint32_t snaplen);

/// Recovers every stream of `store_dir` that has no running writer and did not end.
Result<std::vector<RecoveredStream>> recover_streams(const std::string& store_dir);

}  // namespace pushcap::store
