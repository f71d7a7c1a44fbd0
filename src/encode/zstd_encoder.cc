// zstd frames (RFC 8878) with a content checksum, compressed by libzstd's own worker threads
// while the target thread goes on splitting.

#include <zstd.h>

#include <memory>

#include <fmt/format.h>

#include "encode/compression.h"
#include "encode/output_buffer.h"

namespace pushcap::encode {
namespace {

class ZstdEncoder final : public ByteSink {
 public:
  explicit ZstdEncoder(ByteSink& out) : out_(out) {}
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }

  Result<void> init(int level, int threads) {
    cctx_ = ZSTD_createCCtx();
    if (cctx_ == nullptr) return fail(Errc::kIo, "cannot create a zstd context");
    for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, level}, std::pair{ZSTD_c_checksumFlag, 1}}) {
      if (auto r = check(ZSTD_CCtx_setParameter(cctx_, param, value)); !r) return r;
    }
    // A libzstd built without threads refuses workers: it then compresses on this thread.
    if (threads > 1) (void)ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, threads);
    return {};
  }

  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    ZSTD_inBuffer in{data, len, 0};
    while (in.pos < in.size) {
      if (auto r = run(in, ZSTD_e_continue); !r) return fail(r.error());
    }
    return {};
  }

  Result<void> finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      auto left = run(in, ZSTD_e_end);
      if (!left) return fail(left.error());
      if (*left == 0) break;
    }
    return out_.drain();
  }

 private:
  static Result<void> check(std::size_t rc) {
    if (ZSTD_isError(rc)) return fail(Errc::kIo, fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    return {};
  }
  Result<std::size_t> run(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.next(), out_.room(), 0};
    std::size_t left = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (auto r = check(left); !r) return fail(r.error());
    if (auto r = out_.commit(out.pos); !r) return fail(r.error());
    // At the end, a frame that does not fit yet needs the buffer emptied before the next call.
    if (mode == ZSTD_e_end && left != 0) {
      if (auto r = out_.drain(); !r) return fail(r.error());
    }
    return left;
  }

  OutputBuffer out_;
  ZSTD_CCtx* cctx_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<ByteSink>> make_zstd_encoder(int level, int threads, ByteSink& out) {
  auto z = std::make_unique<ZstdEncoder>(out);
  if (auto r = z->init(level, threads); !r) return fail(r.error());
  return std::unique_ptr<ByteSink>(std::move(z));
}

}  // namespace pushcap::encode
