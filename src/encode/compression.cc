#include "encode/compression.h"

#include <charconv>
#include <thread>

#include <fmt/format.h>

namespace pushcap::encode {
namespace {

struct CodecInfo {
  const char* name;
  Codec codec;
  int default_level, min_level, max_level;
  const char* suffix;
};

// gzip: levels 0-3 run on isa-l (its fastest deflate), 4-9 on zlib. zstd: level 1 by default,
// the speed the pipe command "zstd -1" gives, on worker threads. lz4: 0 is the fast codec,
// 3-12 the high-compression one.
constexpr CodecInfo kCodecs[] = {
    {"gzip", Codec::kGzip, 1, 0, 9, ".gz"},
    {"zstd", Codec::kZstd, 1, 1, 19, ".zst"},
    {"lz4", Codec::kLz4, 0, 0, 12, ".lz4"},
};

const CodecInfo* info(Codec c) {
  for (const auto& i : kCodecs)
    if (i.codec == c) return &i;
  return nullptr;
}

}  // namespace

Result<Compression> parse_compression(std::string_view text) {
  Compression c;
  if (text.empty() || text == "none") return c;
  std::string_view name = text.substr(0, text.find(':'));
  for (const auto& i : kCodecs) {
    if (name != i.name) continue;
    c.codec = i.codec;
    c.level = i.default_level;
    if (name.size() < text.size()) {
      std::string_view lv = text.substr(name.size() + 1);
      auto [p, ec] = std::from_chars(lv.data(), lv.data() + lv.size(), c.level);
      if (ec != std::errc() || p != lv.data() + lv.size() || c.level < i.min_level || c.level > i.max_level) {
        return fail(Errc::kInvalidArgument, fmt::format("\"{}\": the level of {} must be a whole number from {} to {}",
                                                        text, i.name, i.min_level, i.max_level));
      }
    }
    return c;
  }
  return fail(Errc::kInvalidArgument, fmt::format("\"{}\" is not a known compression (use gzip, gzip:N, zstd, "
                                                  "zstd:N, lz4, lz4:N or none)",
                                                  text));
}

std::string compression_suffix(const Compression& c) {
  const CodecInfo* i = info(c.codec);
  return i != nullptr ? i->suffix : "";
}

std::string describe(const Compression& c) {
  switch (c.codec) {
    case Codec::kNone:
      return "none";
    case Codec::kGzip:
      return fmt::format("gzip level {} ({})", c.level, c.level <= 3 ? "isa-l" : "zlib");
    case Codec::kZstd:
      return fmt::format("zstd level {}", c.level);
    case Codec::kLz4:
      return fmt::format("lz4 level {}", c.level);
  }
  return "?";
}

Result<std::unique_ptr<ByteSink>> make_encoder(const Compression& c, ByteSink& out) {
  switch (c.codec) {
    case Codec::kGzip:
      return make_gzip_encoder(c.level, out);
    case Codec::kZstd: {
      int threads = c.threads;
      if (threads == 0) threads = static_cast<int>(std::min(4u, std::max(1u, std::thread::hardware_concurrency())));
      return make_zstd_encoder(c.level, threads, out);
    }
    case Codec::kLz4:
      return make_lz4_encoder(c.level, out);
    case Codec::kNone:
      break;
  }
  return fail(Errc::kInvalidArgument, "no codec");
}

}  // namespace pushcap::encode
