#pragma once
// Where a stream of output bytes goes: a file, an in-process encoder, a pipe command. A split's
// writer sees only this interface, so compression and pipes are stages behind it
// (writer -> encoder -> sink).

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace pushcap {

/// A byte stream's destination. write() may be called many times, finish() once at the end.
class ByteSink {
 public:
  ByteSink() = default;
  ByteSink(const ByteSink&) = delete;
  ByteSink& operator=(const ByteSink&) = delete;
  virtual ~ByteSink() = default;

  /// Takes [data, data+len); an error is final for this stream.
  virtual Result<void> write(const std::uint8_t* data, std::size_t len) = 0;
  /// Ends the stream: flushes what is buffered and reports the stream's own end (an encoder's
  /// trailer, a command's exit status). Nothing may be written after it.
  virtual Result<void> finish() = 0;
};

/// Writes straight to a file descriptor it does not own.
class FdSink final : public ByteSink {
 public:
  FdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}
  Result<void> write(const std::uint8_t* data, std::size_t len) override;
  Result<void> finish() override { return {}; }
  /// Bytes written so far.
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  int fd_;
  std::string what_;
  std::uint64_t bytes_ = 0;
};

}  // namespace pushcap
