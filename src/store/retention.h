#pragma once
// Retention of a capture store: deletes the oldest complete segments (of every stream) while the
// store is larger than its size limit or a segment's newest packet is older than the age limit.
// The segment being written is never deleted. Streams that ended and have no segment left go.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::store {

/// Limits; 0 = none.
struct RetentionLimits {
  std::uint64_t max_bytes = 0;
  std::uint64_t max_age_ns = 0;
};

/// One deleted segment.
struct DeletedSegment {
  std::string stream;
  std::uint64_t seq = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_ts = 0;
  std::uint64_t last_ts = 0;
  bool for_age = false;  ///< deleted for its age (else for the size limit)
};

/// What one pass found and did.
struct RetentionPass {
  std::uint64_t store_bytes = 0;  ///< after the pass
  std::vector<DeletedSegment> deleted;
  std::vector<std::string> removed_streams;
};

/// One pass over the store at wall time `now_ns`.
Result<RetentionPass> apply_retention(const std::string& store_dir, const RetentionLimits& limits,
                                      std::uint64_t now_ns);

/// Writes STORE/retention.json (the limits, so followers can warn before their data goes).
Result<void> write_retention_file(const std::string& store_dir, const RetentionLimits& limits);
/// Reads it; limits of 0 when there is none (no limits were set). A file that cannot be read or
/// is damaged is an error naming it.
Result<RetentionLimits> read_retention_file(const std::string& store_dir);

/// Parses "500G", "1.5T", "100M", "4096" (bytes, powers of 1024).
Result<std::uint64_t> parse_size(const std::string& text);
/// Parses "7d", "12h", "30m", "90s", "2w".
Result<std::uint64_t> parse_duration_ns(const std::string& text);

}  // namespace pushcap::store
