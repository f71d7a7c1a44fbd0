#pragma once
// The output side every streaming codec shares: a 1 MiB buffer the codec compresses into, written
// downstream when full and at the end of the stream.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/byte_sink.h"
#include "encode/compression.h"

namespace pushcap::encode {

class OutputBuffer {
 public:
  explicit OutputBuffer(ByteSink& out) : out_(out), buf_(new std::uint8_t[kEncoderOutput]) {}

  /// Where the codec writes next, and how much room is left there.
  [[nodiscard]] std::uint8_t* next() { return buf_.get() + used_; }
  [[nodiscard]] std::size_t room() const { return kEncoderOutput - used_; }
  /// Takes `n` bytes the codec wrote at next(); writes the buffer downstream once it is full.
  Result<void> commit(std::size_t n) {
    used_ += n;
    return used_ == kEncoderOutput ? drain() : Result<void>();
  }
  /// Writes what is buffered downstream.
  Result<void> drain() {
    if (used_ == 0) return {};
    auto r = out_.write(buf_.get(), used_);
    used_ = 0;
    return r;
  }

 private:
  ByteSink& out_;
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t used_ = 0;
};

}  // namespace pushcap::encode
