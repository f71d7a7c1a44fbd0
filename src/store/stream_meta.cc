#include "store/stream_meta.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fd.h"
#include "core/json_file.h"
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
  auto j = read_json_file(path, "stream description");
  if (!j) return fail(j.error());
  auto decoded = decode_json<StreamMeta>(*j, path, "stream description", [](const nlohmann::ordered_json& o) {
    StreamMeta m;
    m.name = o.at("name").get<std::string>();
    m.capture = o.value("capture", "");
    m.interfaces = o.value("interfaces", std::vector<std::string>{});
    m.linktype = o.at("linktype").get<std::uint32_t>();
    m.snaplen = o.at("snaplen").get<std::uint32_t>();
    m.tstamp = o.value("tstamp", "");
    m.segment_bytes = o.value("segment_bytes", std::uint64_t{0});
    m.started_ns = o.value("started_ns", std::int64_t{0});
    m.filter = o.value("filter", "");
    m.end = o.value("end", "");
    m.ended_ns = o.value("ended_ns", std::int64_t{0});
    m.last_watermark_ts = o.value("last_watermark_ts", std::uint64_t{0});
    m.recovered_packets = o.value("recovered_packets", std::uint64_t{0});
    m.recovered_cut_bytes = o.value("recovered_cut_bytes", std::uint64_t{0});
    return m;
  });
  return decoded;
}

}  // namespace pushcap::store
