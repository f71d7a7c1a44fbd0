#include "core/byte_sink.h"

#include "core/fd.h"

namespace pushcap {

Result<void> FdSink::write(const std::uint8_t* data, std::size_t len) {
  if (auto r = write_all(fd_, data, len, what_); !r) return r;
  bytes_ += len;
  return {};
}

}  // namespace pushcap
