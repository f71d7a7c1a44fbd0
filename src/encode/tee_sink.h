#pragma once
// Writes one stream to two sinks: a PipeCmd split and the raw copy kept in case the command
// fails (the raw split is then kept under a name that says so, never a truncated final file).

#include "core/byte_sink.h"

namespace pushcap::encode {

class TeeSink final : public ByteSink {
 public:
  TeeSink(ByteSink& first, ByteSink& second) : first_(first), second_(second) {}
  /// Both sinks get every byte; the first error wins.
  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    auto a = first_.write(data, len);
    auto b = second_.write(data, len);
    return a ? b : a;
  }
  /// Finishes neither sink: their owners do, in their own order.
  Result<void> finish() override { return {}; }

 private:
  ByteSink& first_;
  ByteSink& second_;
};

}  // namespace pushcap::encode
