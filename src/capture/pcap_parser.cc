#include "capture/pcap_parser.h"

#include <bit>
#include <cstring>

#include "core/endian.h"
#include "core/pcap_format.h"

namespace pushcap::capture {
namespace {

using pcap::kMagicMicro;
using pcap::kMagicNano;
constexpr std::size_t kFileHeader = pcap::kFileHeaderSize;
constexpr std::size_t kRecordHeader = pcap::kRecordHeaderSize;

}  // namespace

ParseResult PcapParser::parse_header(Batch& batch, std::size_t begin, std::size_t end) {
  ParseResult out;
  if (end - begin < kFileHeader) {
    out.next_need = kFileHeader;
    return out;
  }
  const std::uint8_t* h = batch.data.get() + begin;
  std::uint32_t magic = load_host<std::uint32_t>(h);
  if (magic == kMagicMicro || magic == kMagicNano) {
    swap_ = false;
  } else if (byte_swap(magic) == kMagicMicro || byte_swap(magic) == kMagicNano) {
    swap_ = true;
  } else {
    out.error = damage(batch.file_offset + begin, "not a pcap file header");
    return out;
  }
  nano_ = (swap_ ? byte_swap(magic) : magic) == kMagicNano;
  auto major = load<std::uint16_t>(h + 4, swap_);
  auto minor = load<std::uint16_t>(h + 6, swap_);
  auto snaplen = load<std::uint32_t>(h + 16, swap_);
  auto linkfield = load<std::uint32_t>(h + 20, swap_);
  if (major != 2 || minor > 4) {
    out.error = damage(batch.file_offset + begin + 4, "unsupported pcap version " + std::to_string(major) + "." +
                                                          std::to_string(minor) + " (2.0 to 2.4 are read)");
    return out;
  }
  // Bits 16-25 are reserved and must be zero; 26-31 carry the FCS length, which pushcap keeps.
  if ((linkfield & 0x03FF0000u) != 0) {
    out.error = damage(batch.file_offset + begin + 20, "the reserved bits of the link-type field are not zero (field " +
                                                           std::to_string(linkfield) + ")");
    return out;
  }
  LinkFormat format{linkfield & 0xFFFFu, snaplen, nano_ ? TsResolution::kNano : TsResolution::kMicro, swap_, {}};
  if (!registry_.intern(format, format_)) {
    out.error = damage(batch.file_offset + begin, "more than 1024 distinct link formats in one run");
    return out;
  }
  header_done_ = true;
  out.consumed = kFileHeader;
  return out;
}

ParseResult PcapParser::parse(Batch& batch, std::size_t begin, std::size_t end, bool eof) {
  ParseResult out;
  std::size_t pos = begin;
  if (!header_done_) {
    out = parse_header(batch, begin, end);
    if (out.error) return out;
    if (!header_done_) {
      if (eof) {
        out.error =
            damage(batch.file_offset + begin, "file header cut short: " + std::to_string(end - begin) + " of 24 bytes");
      }
      return out;
    }
    pos += kFileHeader;
  }
  std::uint8_t* base = batch.data.get();
  const std::uint64_t multiplier = nano_ ? 1 : 1000;
  const std::uint16_t flags = kHasPcapHeader;
  while (end - pos >= kRecordHeader) {
    std::uint8_t* h = base + pos;
    std::uint32_t sec = load<std::uint32_t>(h, swap_);
    std::uint32_t frac = load<std::uint32_t>(h + 4, swap_);
    std::uint32_t caplen = load<std::uint32_t>(h + 8, swap_);
    std::uint32_t wirelen = load<std::uint32_t>(h + 12, swap_);
    if (caplen > kMaxSnaplen) {
      out.error =
          damage(batch.file_offset + pos, "record captured length " + std::to_string(caplen) + " is larger than " +
                                              std::to_string(kMaxSnaplen) + " (a damaged record header)");
      break;
    }
    if (end - pos - kRecordHeader < caplen) {
      out.next_need = kRecordHeader + caplen;
      break;
    }
    if (swap_) {
      // Rewrite the header in place as little-endian so every writer can copy it unchanged.
      store_le(h, sec);
      store_le(h + 4, frac);
      store_le(h + 8, caplen);
      store_le(h + 12, wirelen);
    }
    Record r;
    r.ts_ns = std::uint64_t{sec} * 1'000'000'000u + std::uint64_t{frac} * multiplier;
    r.offset = static_cast<std::uint32_t>(pos + kRecordHeader);
    r.caplen = caplen;
    r.wirelen = wirelen;
    r.format = format_;
    r.flags = flags;
    batch.records.push_back(r);
    pos += kRecordHeader + caplen;
  }
  out.consumed = pos - begin;
  if (!out.error && eof && pos < end) {
    std::size_t left = end - pos;
    if (left < kRecordHeader) {
      out.error = damage(batch.file_offset + pos, "record header cut short: " + std::to_string(left) +
                                                      " of 16 bytes before the end of the file");
    } else {
      out.error = damage(batch.file_offset + pos, "record cut short: " + std::to_string(left - kRecordHeader) + " of " +
                                                      std::to_string(out.next_need - kRecordHeader) +
                                                      " captured bytes before the end of the file");
    }
    out.next_need = 0;
  }
  return out;
}

}  // namespace pushcap::capture
