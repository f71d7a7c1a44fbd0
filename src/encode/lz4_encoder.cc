// LZ4 frames (the format `lz4 -d` reads) with a content checksum; level 0 is LZ4's fast codec,
// 3-12 its high-compression one.

#include <lz4frame.h>

#include <memory>

#include <fmt/format.h>

#include "encode/compression.h"

namespace pushcap::encode {
namespace {

// Input is fed in pieces of this size, so one output buffer always holds a piece's bound.
constexpr std::size_t kPiece = 256 * 1024;

class Lz4Encoder final : public ByteSink {
 public:
  explicit Lz4Encoder(ByteSink& out) : out_(out) {}
  ~Lz4Encoder() override { LZ4F_freeCompressionContext(ctx_); }

  Result<void> init(int level) {
    if (auto r = check(LZ4F_createCompressionContext(&ctx_, LZ4F_VERSION)); !r) return r;
    prefs_.frameInfo.blockSizeID = LZ4F_max256KB;
    prefs_.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs_.compressionLevel = level;
    cap_ = LZ4F_compressBound(kPiece, &prefs_) + LZ4F_HEADER_SIZE_MAX;
    buf_.reset(new std::uint8_t[cap_]);
    std::size_t n = LZ4F_compressBegin(ctx_, buf_.get(), cap_, &prefs_);
    if (auto r = check(n); !r) return r;
    return out_.write(buf_.get(), n);
  }

  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    while (len > 0) {
      std::size_t piece = std::min(len, kPiece);
      std::size_t n = LZ4F_compressUpdate(ctx_, buf_.get(), cap_, data, piece, nullptr);
      if (auto r = check(n); !r) return r;
      if (n > 0) {
        if (auto r = out_.write(buf_.get(), n); !r) return r;
      }
      data += piece;
      len -= piece;
    }
    return {};
  }

  Result<void> finish() override {
    std::size_t n = LZ4F_compressEnd(ctx_, buf_.get(), cap_, nullptr);
    if (auto r = check(n); !r) return r;
    return out_.write(buf_.get(), n);
  }

 private:
  static Result<void> check(std::size_t rc) {
    if (LZ4F_isError(rc)) return fail(Errc::kIo, fmt::format("lz4: {}", LZ4F_getErrorName(rc)));
    return {};
  }

  ByteSink& out_;
  LZ4F_cctx* ctx_ = nullptr;
  LZ4F_preferences_t prefs_{};
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t cap_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSink>> make_lz4_encoder(int level, ByteSink& out) {
  auto z = std::make_unique<Lz4Encoder>(out);
  if (auto r = z->init(level); !r) return fail(r.error());
  return std::unique_ptr<ByteSink>(std::move(z));
}

}  // namespace pushcap::encode
