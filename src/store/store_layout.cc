#include "store/store_layout.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "core/fd.h"

namespace pushcap::store {
namespace {

bool all_digits(const std::string& s, std::size_t from, std::size_t len) {
  if (from + len > s.size()) return false;
  for (std::size_t i = from; i < from + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_seq(const std::string& name, const std::string& prefix, const std::string& suffix) {
  if (name.size() != prefix.size() + 16 + suffix.size()) return std::nullopt;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  if (!all_digits(name, prefix.size(), 16)) return std::nullopt;
  return std::stoull(name.substr(prefix.size(), 16));
}

// Reads the names in a directory.
Result<std::vector<std::string>> dir_entries(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return fail(Errc::kIo, fmt::format("cannot read the directory {}: {}", dir, errno_text(errno)));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  return names;
}

}  // namespace

std::string StreamName::text() const {
  std::string s = capture + "_" + stamp;
  if (serial != 0) s += "_" + std::to_string(serial);
  return s;
}

bool StreamName::operator<(const StreamName& o) const {
  if (stamp != o.stamp) return stamp < o.stamp;
  if (serial != o.serial) return serial < o.serial;
  return capture < o.capture;
}

StreamName make_stream_name(const std::string& capture, std::int64_t wall_ns, unsigned serial) {
  std::time_t secs = static_cast<std::time_t>(wall_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M", &tm);
  return StreamName{capture, stamp, serial};
}

std::optional<StreamName> parse_stream_name(const std::string& text) {
  // NAME _ YYYYMMDD _ HHMM [_ N]; NAME may itself hold '_'.
  std::string rest = text;
  unsigned serial = 0;
  // Try with a serial first: the last part is digits and what precedes is a full stamp.
  for (int with_serial = 1; with_serial >= 0; --with_serial) {
    rest = text;
    serial = 0;
    if (with_serial == 1) {
      std::size_t u = rest.rfind('_');
      if (u == std::string::npos || u + 1 >= rest.size() || rest.size() - u - 1 > 6 ||
          !all_digits(rest, u + 1, rest.size() - u - 1)) {
        continue;
      }
      serial = static_cast<unsigned>(std::stoul(rest.substr(u + 1)));
      if (serial == 0) continue;
      rest.resize(u);
    }
    // rest ends with _YYYYMMDD_HHMM
    if (rest.size() < 1 + 1 + 8 + 1 + 4) continue;
    std::size_t p = rest.size() - 14;
    if (rest[p] != '_' || rest[p + 9] != '_' || !all_digits(rest, p + 1, 8) || !all_digits(rest, p + 10, 4)) continue;
    std::string capture = rest.substr(0, p);
    if (!valid_capture_name(capture)) continue;
    return StreamName{capture, rest.substr(p + 1), serial};
  }
  return std::nullopt;
}

bool valid_capture_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  bool digits_only = true;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
    if (c < '0' || c > '9') digits_only = false;
  }
  return !digits_only;
}

std::string segment_file(std::uint64_t seq) {
  return fmt::format("seg_{:016d}.pcap", seq);
}
std::string segment_part_file(std::uint64_t seq) {
  return fmt::format(".seg_{:016d}.pcap.part", seq);
}
std::string index_file(std::uint64_t seq) {
  return fmt::format("seg_{:016d}.idx", seq);
}

Result<std::vector<StreamName>> list_streams(const std::string& store_dir, const std::string& capture) {
  auto names = dir_entries(store_dir);
  if (!names) return fail(names.error());
  std::vector<StreamName> streams;
  for (const auto& n : *names) {
    auto s = parse_stream_name(n);
    if (!s || (!capture.empty() && s->capture != capture)) continue;
    struct stat st {};
    if (::stat((store_dir + "/" + n).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    streams.push_back(*s);
  }
  std::sort(streams.begin(), streams.end());
  return streams;
}

Result<std::vector<SegmentEntry>> list_segments(const std::string& stream_dir) {
  auto names = dir_entries(stream_dir);
  if (!names) return fail(names.error());
  std::vector<SegmentEntry> out;
  for (const auto& n : *names) {
    SegmentEntry e;
    if (auto seq = parse_seq(n, "seg_", ".pcap")) {
      e.seq = *seq;
      e.complete = true;
    } else if (auto part = parse_seq(n, ".seg_", ".pcap.part")) {
      e.seq = *part;
    } else {
      continue;
    }
    e.path = stream_dir + "/" + n;
    struct stat st {};
    if (::stat(e.path.c_str(), &st) != 0) continue;  // deleted by retention meanwhile
    e.size = static_cast<std::uint64_t>(st.st_size);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const SegmentEntry& a, const SegmentEntry& b) {
    return a.seq != b.seq ? a.seq < b.seq : a.complete > b.complete;
  });
  // A segment renamed between two readdir entries can show twice: keep the complete one.
  out.erase(
      std::unique(out.begin(), out.end(), [](const SegmentEntry& a, const SegmentEntry& b) { return a.seq == b.seq; }),
      out.end());
  return out;
}

std::optional<std::string> next_stream(const std::string& store_dir, const std::string& capture,
                                       const std::string& current) {
  auto streams = list_streams(store_dir, capture);
  auto cur = parse_stream_name(current);
  if (!streams || !cur) return std::nullopt;
  for (const auto& s : *streams) {
    if (*cur < s) return s.text();
  }
  return std::nullopt;
}

std::uint64_t first_segment(const std::string& stream_dir) {
  auto segs = list_segments(stream_dir);
  return segs && !segs->empty() ? segs->front().seq : 1;
}

}  // namespace pushcap::store
