#include "capture/capture_parser.h"

#include "capture/pcap_parser.h"
#include "capture/pcapng_parser.h"

namespace pushcap::capture {

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
