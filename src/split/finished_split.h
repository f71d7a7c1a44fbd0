#pragma once
// The facts about one finished split that its close script, Post script, JSON event and spool
// record carry (DESIGN.md: the close script's ten arguments).

#include <cstdint>
#include <string>

namespace pushcap::split {

struct FinishedSplit {
  std::string path;              ///< the final local file (File mode) or the spooled copy (RCLONE)
  std::string remote;            ///< the final remote name ("" unless RCLONE)
  std::uint64_t bytes = 0;       ///< record headers + captured bytes, before compression
  std::uint64_t file_bytes = 0;  ///< the file's size as written (after compression)
  std::uint64_t packets = 0;
  std::int64_t wall_ns = 0;      ///< wall-clock time the split was open
  std::uint64_t start_ts = 0;    ///< split start boundary
  std::uint64_t end_ts = 0;      ///< split end boundary
  std::uint64_t first_ts = 0;    ///< first packet
  std::uint64_t last_ts = 0;     ///< last packet
  std::uint64_t closing_ts = 0;  ///< the packet that closed it (= last_ts on the final split)
  /// The name a close script gets first: the remote name for RCLONE targets, else the path.
  [[nodiscard]] const std::string& final_name() const { return remote.empty() ? path : remote; }
};

}  // namespace pushcap::split
