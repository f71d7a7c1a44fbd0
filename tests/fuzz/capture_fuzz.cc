// libFuzzer target over the capture readers: the real FileSource loop (format detection, carry
// of partial records between reads, pcap and pcapng parsing) on arbitrary bytes, with read
// sizes chosen by the input so every record boundary lands on every buffer edge.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "capture/file_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t batch_bytes = 1 + data[0] * 97u;
  int fd = memfd_create("capture", MFD_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t off = 1;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  auto inputs = pushcap::capture::expand_inputs({"/proc/self/fd/" + std::to_string(fd)});
  if (inputs) {
    pushcap::capture::BatchPool pool(2, batch_bytes);
    pushcap::capture::FileSource source(*inputs, pool);
    std::uint64_t sum = 0;
    source.run([&](pushcap::capture::BatchPtr b) {
      for (const auto& r : b->records) {
        // Touch every byte a record claims, so a wrong offset or length is an ASan report.
        const std::uint8_t* p = b->packet(r);
        for (std::uint32_t i = 0; i < r.caplen; ++i) sum += p[i];
        sum += (*b->formats)[r.format].linktype;
      }
    });
    if (sum == 42) ::close(-1);  // keep the loop
  }
  ::close(fd);
  return 0;
}
