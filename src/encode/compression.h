#pragma once
// In-process compression of a split as it is written (Compress = "gzip", "gzip:N", "zstd",
// "zstd:N", "lz4", "lz4:N"): the codec, its level, and the encoder that sits between a split's
// writer and its file. Output is a standard stream: gzip (RFC 1952), a zstd frame, an LZ4 frame.

#include <memory>
#include <string>
#include <string_view>

#include "core/byte_sink.h"
#include "core/result.h"

namespace pushcap::encode {

enum class Codec { kNone, kGzip, kZstd, kLz4 };

/// A codec and its level as the user wrote it.
struct Compression {
  Codec codec = Codec::kNone;
  int level = 0;    ///< codec level (gzip 0-9, zstd 1-19, lz4 0-12)
  int threads = 0;  ///< zstd worker threads (0 = one per core, at most 4)
  bool operator==(const Compression&) const = default;
  [[nodiscard]] bool active() const { return codec != Codec::kNone; }
};

/// Parses "gzip", "gzip:N", "zstd", "zstd:N", "lz4", "lz4:N", "none" or "".
Result<Compression> parse_compression(std::string_view text);
/// What the codec adds to ".pcap": ".gz", ".zst", ".lz4" ("" for none).
std::string compression_suffix(const Compression& c);
/// "gzip level 1 (isa-l)" and the like, for logs.
std::string describe(const Compression& c);

/// An encoder that writes its compressed stream to `out` (not owned; must outlive it).
/// finish() writes the stream's end but does not finish `out`.
Result<std::unique_ptr<ByteSink>> make_encoder(const Compression& c, ByteSink& out);

/// Encoders: one per codec family (gzip_encoder.cc, zstd_encoder.cc, lz4_encoder.cc).
Result<std::unique_ptr<ByteSink>> make_gzip_encoder(int level, ByteSink& out);
Result<std::unique_ptr<ByteSink>> make_zstd_encoder(int level, int threads, ByteSink& out);
Result<std::unique_ptr<ByteSink>> make_lz4_encoder(int level, ByteSink& out);

/// Output buffered by every encoder before it is written downstream.
inline constexpr std::size_t kEncoderOutput = 1u << 20;

}  // namespace pushcap::encode
