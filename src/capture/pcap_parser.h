#pragma once
// Classic pcap (libpcap savefile): microsecond and nanosecond magic, either byte order.
// Layout: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html

#include "capture/capture_parser.h"

namespace pushcap::capture {

/// Parses a classic pcap stream, header first.
class PcapParser final : public CaptureParser {
 public:
  explicit PcapParser(FormatRegistry& registry) : registry_(registry) {}
  ParseResult parse(Batch& batch, std::size_t begin, std::size_t end, bool eof) override;
  [[nodiscard]] const char* kind() const override { return "pcap"; }

 private:
  ParseResult parse_header(Batch& batch, std::size_t begin, std::size_t end);

  FormatRegistry& registry_;
  bool header_done_ = false;
  bool swap_ = false;
  bool nano_ = false;
  FormatId format_ = 0;
};

}  // namespace pushcap::capture
