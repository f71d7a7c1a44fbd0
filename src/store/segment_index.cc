#include "store/segment_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fd.h"
#include "store/store_layout.h"

namespace pushcap::store {
namespace {
constexpr std::uint64_t kMaxIndexBytes = 64u << 20;
constexpr std::uint64_t kFileHeader = 24;
}  // namespace

std::uint64_t SegmentIndex::offset_for(std::uint64_t ts) const {
  // The last point strictly below ts: every record before it is earlier than ts too.
  std::uint64_t at = kFileHeader;
  for (const auto& [pts, off] : points) {
    if (pts >= ts) break;
    at = off;
  }
  return at;
}

Result<void> write_index(const std::string& stream_dir, const SegmentIndex& index) {
  nlohmann::ordered_json j = {
      {"segment", index.segment},           {"linktype", index.linktype},     {"snaplen", index.snaplen},
      {"packets", index.packets},           {"file_bytes", index.file_bytes}, {"first_ts", index.first_ts},
      {"last_ts", index.last_ts},           {"min_ts", index.min_ts},         {"max_ts", index.max_ts},
      {"kernel_drops", index.drops.kernel}, {"if_drops", index.drops.iface},  {"overflow_drops", index.drops.overflow},
      {"recovered", index.recovered},       {"every", SegmentIndex::kEvery},  {"points", index.points}};
  const std::string text = j.dump() + "\n";
  return write_file_durable(stream_dir + "/" + index_file(index.segment), text);
}

Result<SegmentIndex> read_index(const std::string& stream_dir, std::uint64_t seq) {
  const std::string path = stream_dir + "/" + index_file(seq);
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fail(Errc::kIo, fmt::format("cannot stat {}: {}", path, errno_text(errno)));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxIndexBytes) {
    return fail(Errc::kDamagedCapture,
                fmt::format("{}: index is {} bytes, more than an index can be", path, st.st_size));
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  auto got = read_full(fd->get(), text.data(), text.size(), path);
  if (!got) return fail(got.error());
  text.resize(*got);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::kDamagedCapture, path + ": not a segment index (bad JSON)");
  SegmentIndex idx;
  try {
    idx.segment = j.at("segment").get<std::uint64_t>();
    idx.linktype = j.at("linktype").get<std::uint32_t>();
    idx.snaplen = j.at("snaplen").get<std::uint32_t>();
    idx.packets = j.at("packets").get<std::uint64_t>();
    idx.file_bytes = j.at("file_bytes").get<std::uint64_t>();
    idx.first_ts = j.at("first_ts").get<std::uint64_t>();
    idx.last_ts = j.at("last_ts").get<std::uint64_t>();
    idx.min_ts = j.value("min_ts", idx.first_ts);
    idx.max_ts = j.value("max_ts", idx.last_ts);
    idx.drops.kernel = j.value("kernel_drops", std::uint64_t{0});
    idx.drops.iface = j.value("if_drops", std::uint64_t{0});
    idx.drops.overflow = j.value("overflow_drops", std::uint64_t{0});
    idx.recovered = j.value("recovered", false);
    for (const auto& p : j.at("points"))
      idx.points.emplace_back(p.at(0).get<std::uint64_t>(), p.at(1).get<std::uint64_t>());
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::kDamagedCapture, fmt::format("{}: not a segment index ({})", path, e.what()));
  }
  if (idx.segment != seq) {
    return fail(Errc::kDamagedCapture, fmt::format("{}: says it indexes segment {}", path, idx.segment));
  }
  return idx;
}

}  // namespace pushcap::store
