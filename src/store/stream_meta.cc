#include "store/stream_meta.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fd.h"
#include "store/store_layout.h"

namespace pushcap::store {

Result<void> write_stream_meta(const std::string& stream_dir, const StreamMeta& m) {
  nlohmann::ordered_json j = {{"name", m.name},
                              {"capture", m.capture},
                              {"interfaces", m.interfaces},
                              {"linktype", m.linktype},
                              {"snaplen", m.snaplen},
                              {"tstamp", m.tstamp},
                              {"segment_bytes", m.segment_bytes},
                              {"started_ns", m.started_ns},
                              {"filter", m.filter},
                              {"end", m.end},
                              {"ended_ns", m.ended_ns},
                              {"last_watermark_ts", m.last_watermark_ts},
                              {"recovered_packets", m.recovered_packets},
                              {"recovered_cut_bytes", m.recovered_cut_bytes}};
  const std::string text = j.dump(2) + "\n";
  return write_file_durable(stream_dir + "/" + kStreamMetaFile, text);
}

Result<StreamMeta> read_stream_meta(const std::string& stream_dir) {
  const std::string path = stream_dir + "/" + kStreamMetaFile;
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  std::string text(1u << 20, '\0');
  auto got = read_full(fd->get(), text.data(), text.size(), path);
  if (!got) return fail(got.error());
  if (*got == text.size()) return fail(Errc::kDamagedCapture, path + ": larger than 1 MiB, not a stream description");
  text.resize(*got);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::kDamagedCapture, path + ": not a stream description (bad JSON)");
  StreamMeta m;
  try {
    m.name = j.at("name").get<std::string>();
    m.capture = j.value("capture", "");
    m.interfaces = j.value("interfaces", std::vector<std::string>{});
    m.linktype = j.at("linktype").get<std::uint32_t>();
    m.snaplen = j.at("snaplen").get<std::uint32_t>();
    m.tstamp = j.value("tstamp", "");
    m.segment_bytes = j.value("segment_bytes", std::uint64_t{0});
    m.started_ns = j.value("started_ns", std::int64_t{0});
    m.filter = j.value("filter", "");
    m.end = j.value("end", "");
    m.ended_ns = j.value("ended_ns", std::int64_t{0});
    m.last_watermark_ts = j.value("last_watermark_ts", std::uint64_t{0});
    m.recovered_packets = j.value("recovered_packets", std::uint64_t{0});
    m.recovered_cut_bytes = j.value("recovered_cut_bytes", std::uint64_t{0});
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::kDamagedCapture, fmt::format("{}: not a stream description ({})", path, e.what()));
  }
  return m;
}

}  // namespace pushcap::store
