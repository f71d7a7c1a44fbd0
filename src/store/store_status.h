#pragma once
// What a capture store holds, read without disturbing its writer: each stream's state (its
// capture running, ended cleanly, recovered after a crash, or crashed and not recovered yet),
// its segments and bytes on disk, its description and last watermark. `pushcap status` prints
// it; nothing here formats for people.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/retention.h"
#include "store/stream_meta.h"
#include "store/watermark_file.h"

namespace pushcap::store {

/// How a stream's capture stands.
enum class StreamState { kCapturing, kEnded, kRecovered, kCrashed };

/// "capturing", "ended", "recovered", "crashed".
const char* stream_state_name(StreamState state);

/// One stream of the store.
struct StreamStatus {
  std::string name;
  StreamState state = StreamState::kCrashed;
  std::uint64_t segments = 0;
  std::uint64_t bytes_on_disk = 0;     ///< segment files, as listed
  std::optional<StreamMeta> meta;      ///< stream.json, when readable
  std::optional<Watermark> watermark;  ///< the last published watermark, when any
  std::vector<std::string> problems;   ///< what could not be read, naming the file
};

/// The whole store.
struct StoreStatus {
  std::string store;
  RetentionLimits limits;
  std::vector<StreamStatus> streams;  ///< oldest first
  std::uint64_t segments = 0;
  std::uint64_t bytes_on_disk = 0;
};

/// Reads the store at `store_dir`. An error when its folder or retention description cannot be
/// read; a stream whose files cannot be read is listed with its problems.
Result<StoreStatus> read_store_status(const std::string& store_dir);

}  // namespace pushcap::store
