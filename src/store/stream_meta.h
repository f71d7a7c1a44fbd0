#pragma once
// stream.json: what a stream holds and how it ended. Written when the capture starts, rewritten
// (durably, by rename) when it stops cleanly or when a later capture recovers it after a crash.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::store {

/// The contents of stream.json.
struct StreamMeta {
  std::string name;                     ///< the stream's directory name
  std::string capture;                  ///< the capture name (--name)
  std::vector<std::string> interfaces;  ///< captured interfaces
  std::uint32_t linktype = 0;
  std::uint32_t snaplen = 0;
  std::string tstamp;               ///< timestamp source: "host", "adapter", ...
  std::uint64_t segment_bytes = 0;  ///< segment size limit
  std::int64_t started_ns = 0;      ///< wall clock at start
  std::string filter;               ///< the capture's BPF filter ("" = everything)
  // How it ended ("" while running or after a crash not yet recovered).
  std::string end;                        ///< "clean" or "recovered"
  std::int64_t ended_ns = 0;              ///< wall clock of the end (or of the recovery)
  std::uint64_t last_watermark_ts = 0;    ///< recovered: packets after this time were not stored
  std::uint64_t recovered_packets = 0;    ///< recovered: whole records kept from the open segment
  std::uint64_t recovered_cut_bytes = 0;  ///< recovered: bytes of a torn last record cut off
};

/// Writes DIR/stream.json durably.
Result<void> write_stream_meta(const std::string& stream_dir, const StreamMeta& meta);
/// Reads DIR/stream.json (at most 1 MiB).
Result<StreamMeta> read_stream_meta(const std::string& stream_dir);

}  // namespace pushcap::store
