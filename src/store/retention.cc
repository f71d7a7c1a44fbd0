#include "store/retention.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fd.h"
#include "core/json_file.h"
#include "store/segment_index.h"
#include "store/store_layout.h"
#include "store/stream_lock.h"
#include "store/stream_meta.h"

namespace pushcap::store {
namespace {

struct Candidate {
  std::string stream;
  std::string dir;
  SegmentEntry seg;
};

}  // namespace

Result<RetentionPass> apply_retention(const std::string& store_dir, const RetentionLimits& limits,
                                      std::uint64_t now_ns) {
  RetentionPass pass;
  auto streams = list_streams(store_dir);
  if (!streams) return fail(streams.error());
  std::vector<Candidate> all;
  for (const auto& s : *streams) {
    const std::string dir = store_dir + "/" + s.text();
    auto segs = list_segments(dir);
    if (!segs) continue;  // removed meanwhile
    for (auto& seg : *segs) {
      pass.store_bytes += seg.size;
      all.push_back(Candidate{s.text(), dir, seg});
    }
  }
  if (limits.max_bytes != 0 || limits.max_age_ns != 0) {
    for (const auto& c : all) {       // oldest first
      if (!c.seg.complete) continue;  // being written (or a crash not recovered yet)
      const bool too_big = limits.max_bytes != 0 && pass.store_bytes > limits.max_bytes;
      bool too_old = false;
      SegmentIndex idx;
      if (auto i = read_index(c.dir, c.seg.seq)) idx = *i;
      if (limits.max_age_ns != 0 && idx.max_ts != 0) too_old = idx.max_ts + limits.max_age_ns < now_ns;
      if (!too_big && !too_old) break;  // segments are deleted in order only
      if (::unlink(c.seg.path.c_str()) != 0 && errno != ENOENT) {
        return fail(Errc::kIo, fmt::format("retention: cannot delete {}: {}", c.seg.path, errno_text(errno)));
      }
      ::unlink((c.dir + "/" + index_file(c.seg.seq)).c_str());
      pass.store_bytes -= c.seg.size;
      pass.deleted.push_back(DeletedSegment{c.stream, c.seg.seq, c.seg.size, idx.first_ts, idx.last_ts, !too_big});
    }
  }
  // Streams that ended and hold no segment any more.
  for (const auto& s : *streams) {
    const std::string dir = store_dir + "/" + s.text();
    auto segs = list_segments(dir);
    if (!segs || !segs->empty()) continue;
    auto meta = read_stream_meta(dir);
    if (meta && meta->end.empty()) continue;  // running, or waiting for recovery
    if (stream_writer_alive(dir)) continue;
    for (const char* f : {kStreamMetaFile, kWatermarkFile, kLockFile}) ::unlink((dir + "/" + f).c_str());
    if (::rmdir(dir.c_str()) == 0) pass.removed_streams.push_back(s.text());
  }
  return pass;
}

Result<void> write_retention_file(const std::string& store_dir, const RetentionLimits& limits) {
  nlohmann::ordered_json j = {{"max_bytes", limits.max_bytes}, {"max_age_ns", limits.max_age_ns}};
  const std::string text = j.dump() + "\n";
  return write_file_durable(store_dir + "/retention.json", text);
}

Result<RetentionLimits> read_retention_file(const std::string& store_dir) {
  const std::string path = store_dir + "/retention.json";
  auto j = read_json_file_if_present(path, "retention description", 4096);
  if (!j) return fail(j.error());
  if (!*j) return RetentionLimits{};
  return decode_json<RetentionLimits>(**j, path, "retention description", [](const nlohmann::ordered_json& o) {
    RetentionLimits l;
    l.max_bytes = o.value("max_bytes", std::uint64_t{0});
    l.max_age_ns = o.value("max_age_ns", std::uint64_t{0});
    return l;
  });
}

namespace {

// "<number><unit>": the number and the unit letter (0 when none).
bool split_number(const std::string& text, double& number, char& unit) {
  if (text.empty()) return false;
  char* end = nullptr;
  number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(number) || number < 0) return false;
  std::string rest(end);
  if (rest.size() > 1 && !(rest.size() == 2 && (rest[1] == 'B' || rest[1] == 'b'))) return false;
  unit = rest.empty() ? 0 : rest[0];
  return true;
}

}  // namespace

Result<std::uint64_t> parse_size(const std::string& text) {
  double n = 0;
  char unit = 0;
  if (!split_number(text, n, unit)) {
    return fail(Errc::kInvalidArgument, fmt::format("'{}' is not a size (examples: 500G, 1.5T, 100M, 4096)", text));
  }
  double mult = 1;
  switch (unit) {
    case 0:
    case 'B':
    case 'b':
      break;
    case 'K':
    case 'k':
      mult = 1024.0;
      break;
    case 'M':
    case 'm':
      mult = 1024.0 * 1024;
      break;
    case 'G':
    case 'g':
      mult = 1024.0 * 1024 * 1024;
      break;
    case 'T':
    case 't':
      mult = 1024.0 * 1024 * 1024 * 1024;
      break;
    default:
      return fail(Errc::kInvalidArgument, fmt::format("'{}': unknown size unit '{}' (K, M, G or T)", text, unit));
  }
  const double v = n * mult;
  if (v >= 1.8e19) return fail(Errc::kInvalidArgument, fmt::format("'{}' is too large", text));
  return static_cast<std::uint64_t>(v);
}

Result<std::uint64_t> parse_duration_ns(const std::string& text) {
  double n = 0;
  char unit = 0;
  if (!split_number(text, n, unit) || unit == 0) {
    return fail(Errc::kInvalidArgument, fmt::format("'{}' is not a duration (examples: 7d, 12h, 30m, 90s)", text));
  }
  double secs = 0;
  switch (unit) {
    case 's':
      secs = n;
      break;
    case 'm':
      secs = n * 60;
      break;
    case 'h':
      secs = n * 3600;
      break;
    case 'd':
      secs = n * 86400;
      break;
    case 'w':
      secs = n * 7 * 86400;
      break;
    default:
      return fail(Errc::kInvalidArgument,
                  fmt::format("'{}': unknown duration unit '{}' (s, m, h, d or w)", text, unit));
  }
  if (secs * 1e9 >= 1.8e19) return fail(Errc::kInvalidArgument, fmt::format("'{}' is too long", text));
  return static_cast<std::uint64_t>(secs * 1e9);
}

}  // namespace pushcap::store
