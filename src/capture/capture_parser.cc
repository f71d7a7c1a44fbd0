#include "capture/capture_parser.h"

#include "capture/pcap_parser.h"
#include "capture/pcapng_parser.h"
#include "core/endian.h"
#include "core/pcap_format.h"

namespace pushcap::capture {

CaptureKind detect_kind(const std::uint8_t* bytes, std::size_t len) {
  if (len < 4) return CaptureKind::kUnknown;
  const std::uint32_t m = load_host<std::uint32_t>(bytes);
  for (std::uint32_t magic : {pcap::kMagicMicro, pcap::kMagicNano}) {
    if (m == magic || byte_swap(m) == magic) return CaptureKind::kPcap;
  }
  if (m == pcap::kPcapngSectionHeader) return CaptureKind::kPcapng;
  return CaptureKind::kUnknown;
}

Error damage(std::uint64_t offset, const std::string& reason) {
  return Error(Errc::kDamagedCapture, "byte offset " + std::to_string(offset) + ": " + reason);
}

std::unique_ptr<CaptureParser> make_parser(CaptureKind kind, FormatRegistry& registry) {
  switch (kind) {
    case CaptureKind::kPcap:
      return std::make_unique<PcapParser>(registry);
    case CaptureKind::kPcapng:
      return std::make_unique<PcapngParser>(registry);
    case CaptureKind::kUnknown:
      break;
  }
  return nullptr;
}

}  // namespace pushcap::capture
