#pragma once
// Where things are in a capture store (USER_GUIDE.md, "The capture store"):
//
//   STORE/<NAME>_<YYYYMMDD>_<HHMM>[_<N>]/    one stream: a capture run of `pushcap capture`
//       stream.json                          what was captured (interfaces, link type, limits)
//       watermark                            "every packet below T is stored" (watermark_file.h)
//       .lock                                held by the capture process while it writes
//       seg_<16 digits>.pcap                 complete segments, in order
//       seg_<16 digits>.idx                  their time index (segment_index.h)
//       .seg_<16 digits>.pcap.part           the segment being written
//
// Names sort in time order; stream times are UTC.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::store {

inline constexpr const char* kStreamMetaFile = "stream.json";
inline constexpr const char* kWatermarkFile = "watermark";
inline constexpr const char* kLockFile = ".lock";

/// A stream's name split into its parts.
struct StreamName {
  std::string capture;  ///< the capture's name (NAME)
  std::string stamp;    ///< "YYYYMMDD_HHMM" (UTC start minute)
  unsigned serial = 0;  ///< 0, or N when a stream of the same name and minute existed
  [[nodiscard]] std::string text() const;
  /// Sort key: start minute, then serial.
  bool operator<(const StreamName& o) const;
};

/// "NAME_YYYYMMDD_HHMM" for a capture started at `wall_ns`; `serial` > 0 appends "_N".
StreamName make_stream_name(const std::string& capture, std::int64_t wall_ns, unsigned serial = 0);
/// Parses a directory name; nullopt when it is not a stream name.
std::optional<StreamName> parse_stream_name(const std::string& text);
/// True when `name` may name a capture: letters, digits, '-', '.', '_' (not only digits), at most 64.
bool valid_capture_name(const std::string& name);

/// "seg_0000000000000042.pcap" and friends.
std::string segment_file(std::uint64_t seq);
std::string segment_part_file(std::uint64_t seq);
std::string index_file(std::uint64_t seq);

/// One segment on disk.
struct SegmentEntry {
  std::uint64_t seq = 0;
  bool complete = false;  ///< renamed to its final name (its index exists)
  std::string path;       ///< the .pcap or the .part file
  std::uint64_t size = 0;
};

/// The streams in `store_dir`, oldest first; `capture` limits them to one capture name.
Result<std::vector<StreamName>> list_streams(const std::string& store_dir, const std::string& capture = "");
/// The segments of one stream, by sequence number.
Result<std::vector<SegmentEntry>> list_segments(const std::string& stream_dir);
/// The first stream after `current` of the same capture, if any.
std::optional<std::string> next_stream(const std::string& store_dir, const std::string& capture,
                                       const std::string& current);
/// The sequence number of a stream's first segment (1 when it has none yet).
std::uint64_t first_segment(const std::string& stream_dir);

}  // namespace pushcap::store
