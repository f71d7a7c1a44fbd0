// gzip (RFC 1952) streams: isa-l's deflate for levels 0-3 (several times zlib's speed at its
// fastest levels), zlib for 4-9. Either output is one gzip member any gunzip reads.

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <memory>

#include <fmt/format.h>

#include "encode/compression.h"
#include "encode/output_buffer.h"

namespace pushcap::encode {
namespace {

class IsalGzip final : public ByteSink {
 public:
  IsalGzip(int level, ByteSink& out) : out_(out) {
    isal_deflate_init(&z_);
    z_.level = static_cast<std::uint32_t>(level);
    z_.gzip_flag = IGZIP_GZIP;
    std::size_t need = level == 1 ? ISAL_DEF_LVL1_DEFAULT : level == 2 ? ISAL_DEF_LVL2_DEFAULT : ISAL_DEF_LVL3_DEFAULT;
    if (level > 0) {
      level_buf_.reset(new std::uint8_t[need]);
      z_.level_buf = level_buf_.get();
      z_.level_buf_size = static_cast<std::uint32_t>(need);
    }
  }

  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    while (len > 0) {
      // avail_in is 32-bit: feed at most 1 GiB at a time.
      std::size_t chunk = std::min<std::size_t>(len, 1u << 30);
      z_.next_in = const_cast<std::uint8_t*>(data);
      z_.avail_in = static_cast<std::uint32_t>(chunk);
      while (z_.avail_in > 0) {
        if (auto r = run(); !r) return r;
      }
      data += chunk;
      len -= chunk;
    }
    return {};
  }

  Result<void> finish() override {
    z_.end_of_stream = 1;
    z_.next_in = nullptr;
    z_.avail_in = 0;
    while (z_.internal_state.state != ZSTATE_END) {
      if (auto r = run(); !r) return r;
    }
    return out_.drain();
  }

 private:
  Result<void> run() {
    const auto room = static_cast<std::uint32_t>(out_.room());
    z_.next_out = out_.next();
    z_.avail_out = room;
    int rc = isal_deflate(&z_);
    if (rc != COMP_OK) return fail(Errc::kIo, fmt::format("isa-l deflate failed ({})", rc));
    return out_.commit(room - z_.avail_out);
  }

  OutputBuffer out_;
  isal_zstream z_{};
  std::unique_ptr<std::uint8_t[]> level_buf_;
};

class ZlibGzip final : public ByteSink {
 public:
  explicit ZlibGzip(ByteSink& out) : out_(out) {}
  ~ZlibGzip() override {
    if (ready_) deflateEnd(&z_);
  }
  Result<void> init(int level) {
    // windowBits 15 + 16: a gzip wrapper instead of zlib's.
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return fail(Errc::kIo, "zlib deflateInit2 failed");
    }
    ready_ = true;
    return {};
  }

  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    while (len > 0) {
      std::size_t chunk = std::min<std::size_t>(len, 1u << 30);
      z_.next_in = const_cast<std::uint8_t*>(data);
      z_.avail_in = static_cast<uInt>(chunk);
      while (z_.avail_in > 0) {
        if (auto r = run(Z_NO_FLUSH); !r) return fail(r.error());
      }
      data += chunk;
      len -= chunk;
    }
    return {};
  }

  Result<void> finish() override {
    z_.next_in = nullptr;
    z_.avail_in = 0;
    for (;;) {
      auto r = run(Z_FINISH);
      if (!r) return fail(r.error());
      if (*r) break;
    }
    return out_.drain();
  }

 private:
  // True at the end of the stream.
  Result<bool> run(int flush) {
    const auto room = static_cast<uInt>(out_.room());
    z_.next_out = out_.next();
    z_.avail_out = room;
    int rc = deflate(&z_, flush);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return fail(Errc::kIo, fmt::format("zlib deflate failed ({})", rc));
    }
    if (auto r = out_.commit(room - z_.avail_out); !r) return fail(r.error());
    return rc == Z_STREAM_END;
  }

  OutputBuffer out_;
  z_stream z_{};
  bool ready_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteSink>> make_gzip_encoder(int level, ByteSink& out) {
  if (level <= ISAL_DEF_MAX_LEVEL) return std::unique_ptr<ByteSink>(new IsalGzip(level, out));
  auto z = std::make_unique<ZlibGzip>(out);
  if (auto r = z->init(level); !r) return fail(r.error());
  return std::unique_ptr<ByteSink>(std::move(z));
}

}  // namespace pushcap::encode
