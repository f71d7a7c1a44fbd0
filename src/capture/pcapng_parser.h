#pragma once
// pcapng: sections in either byte order, interfaces with their own link type, snap length,
// if_tsresol and if_tsoffset; enhanced, simple and obsolete packet blocks; every other block
// (name resolution, statistics, custom, decryption secrets, unknown) is skipped by its length.
// Layout: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html

#include <cstdint>
#include <vector>

#include "capture/capture_parser.h"

namespace pushcap::capture {

/// Parses a pcapng stream block by block.
class PcapngParser final : public CaptureParser {
 public:
  /// Blocks longer than this are damage (libpcap's limit is the same order).
  static constexpr std::uint32_t kMaxBlock = 16u * 1024 * 1024;
  /// More interfaces than this in one section is damage (bounds memory on hostile input).
  static constexpr std::size_t kMaxInterfaces = 65536;

  explicit PcapngParser(FormatRegistry& registry) : registry_(registry) {}
  ParseResult parse(Batch& batch, std::size_t begin, std::size_t end, bool eof) override;
  [[nodiscard]] const char* kind() const override { return "pcapng"; }

 private:
  struct Interface {
    FormatId format = 0;
    std::uint32_t snaplen = 0;
    bool pow2 = false;          // if_tsresol is 2^-exp rather than 10^-exp
    std::uint8_t exp = 6;       // microseconds by default
    std::int64_t offset_s = 0;  // if_tsoffset
  };
  // Returns an error message, or empty when the block was understood.
  std::string on_section(const std::uint8_t* block, std::uint32_t len);
  std::string on_interface(const std::uint8_t* block, std::uint32_t len);
  std::string on_packet(Batch& batch, std::size_t pos, std::uint32_t type, std::uint32_t len);
  std::uint64_t to_ns(const Interface& ifc, std::uint64_t units, bool& overflow) const;

  FormatRegistry& registry_;
  bool in_section_ = false;
  bool swap_ = false;
  std::vector<Interface> interfaces_;
  std::uint64_t last_ts_ = 0;
};

}  // namespace pushcap::capture
