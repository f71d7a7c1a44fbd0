#include "store/segment_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fd.h"
#include "core/json_file.h"
#include "core/pcap_format.h"
#include "store/store_layout.h"

namespace pushcap::store {
namespace {
constexpr std::size_t kMaxIndexBytes = std::size_t{64} << 20;
}  // namespace

std::uint64_t SegmentIndex::offset_for(std::uint64_t ts) const {
  // The last point strictly below ts: every record before it is earlier than ts too.
  std::uint64_t at = pcap::kFileHeaderSize;
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
  auto j = read_json_file(path, "segment index", kMaxIndexBytes);
  if (!j) return fail(j.error());
  auto decoded = decode_json<SegmentIndex>(*j, path, "segment index", [](const nlohmann::ordered_json& o) {
    SegmentIndex idx;
    idx.segment = o.at("segment").get<std::uint64_t>();
    idx.linktype = o.at("linktype").get<std::uint32_t>();
    idx.snaplen = o.at("snaplen").get<std::uint32_t>();
    idx.packets = o.at("packets").get<std::uint64_t>();
    idx.file_bytes = o.at("file_bytes").get<std::uint64_t>();
    idx.first_ts = o.at("first_ts").get<std::uint64_t>();
    idx.last_ts = o.at("last_ts").get<std::uint64_t>();
    idx.min_ts = o.value("min_ts", idx.first_ts);
    idx.max_ts = o.value("max_ts", idx.last_ts);
    idx.drops.kernel = o.value("kernel_drops", std::uint64_t{0});
    idx.drops.iface = o.value("if_drops", std::uint64_t{0});
    idx.drops.overflow = o.value("overflow_drops", std::uint64_t{0});
    idx.recovered = o.value("recovered", false);
    for (const auto& p : o.at("points"))
      idx.points.emplace_back(p.at(0).get<std::uint64_t>(), p.at(1).get<std::uint64_t>());
    return idx;
  });
  if (!decoded) return fail(decoded.error());
  SegmentIndex& idx = *decoded;
  if (idx.segment != seq) {
    return fail(Errc::kDamagedCapture, fmt::format("{}: says it indexes segment {}", path, idx.segment));
  }
  return idx;
}

}  // namespace pushcap::store
