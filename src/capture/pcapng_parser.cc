#include "capture/pcapng_parser.h"

#include <bit>
#include <string>

#include "core/endian.h"
#include "core/pcap_format.h"

namespace pushcap::capture {
namespace {

constexpr std::uint32_t kSectionHeader = pcap::kPcapngSectionHeader;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptName = 2;
constexpr std::uint16_t kOptTsresol = 9;
constexpr std::uint16_t kOptTsoffset = 14;

__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;

constexpr std::uint32_t pad4(std::uint32_t n) {
  return (n + 3u) & ~3u;
}

}  // namespace

std::string PcapngParser::on_section(const std::uint8_t* block, std::uint32_t len) {
  if (len < 28) return "section header block too short (" + std::to_string(len) + " bytes)";
  auto major = load<std::uint16_t>(block + 12, swap_);
  auto minor = load<std::uint16_t>(block + 14, swap_);
  // Version 1.0 is the standard; 1.2 was written by some old tools and libpcap reads it too.
  if (major != 1 || (minor != 0 && minor != 2)) {
    return "unsupported pcapng version " + std::to_string(major) + "." + std::to_string(minor);
  }
  interfaces_.clear();
  in_section_ = true;
  return {};
}

std::string PcapngParser::on_interface(const std::uint8_t* block, std::uint32_t len) {
  if (len < 20) return "interface description block too short (" + std::to_string(len) + " bytes)";
  if (interfaces_.size() >= kMaxInterfaces) return "more than 65536 interfaces in one section";
  Interface ifc;
  std::string name;
  auto linktype = load<std::uint16_t>(block + 8, swap_);
  ifc.snaplen = load<std::uint32_t>(block + 12, swap_);
  // Options: code(2) length(2) value padded to 4, up to the trailing length field.
  std::uint32_t pos = 16;
  const std::uint32_t opt_end = len - 4;
  while (pos + 4 <= opt_end) {
    auto code = load<std::uint16_t>(block + pos, swap_);
    auto olen = load<std::uint16_t>(block + pos + 2, swap_);
    if (code == kOptEnd) break;
    if (pos + 4 + olen > opt_end) return "interface option " + std::to_string(code) + " runs past its block";
    const std::uint8_t* v = block + pos + 4;
    if (code == kOptName) {
      name.assign(reinterpret_cast<const char*>(v), olen);
      if (auto nul = name.find('\0'); nul != std::string::npos) name.resize(nul);
    } else if (code == kOptTsresol && olen >= 1) {
      ifc.pow2 = (v[0] & 0x80u) != 0;
      ifc.exp = static_cast<std::uint8_t>(v[0] & 0x7Fu);
    } else if (code == kOptTsoffset && olen >= 8) {
      ifc.offset_s = static_cast<std::int64_t>(load<std::uint64_t>(v, swap_));
    }
    pos += 4 + pad4(olen);
  }
  // Microseconds or coarser are written as microsecond pcap exactly; anything finer as nanoseconds.
  bool micro = !ifc.pow2 && ifc.exp <= 6;
  LinkFormat format{linktype, ifc.snaplen, micro ? TsResolution::kMicro : TsResolution::kNano, swap_, std::move(name)};
  if (!registry_.intern(format, ifc.format)) return "more than 1024 distinct link formats in one run";
  interfaces_.push_back(ifc);
  return {};
}

std::uint64_t PcapngParser::to_ns(const Interface& ifc, std::uint64_t units, bool& overflow) const {
  u128 ns;
  if (ifc.pow2) {
    ns = ifc.exp >= 64 ? 0 : (u128{units} * 1'000'000'000u) >> ifc.exp;
  } else if (ifc.exp <= 9) {
    u128 scale = 1;
    for (int i = ifc.exp; i < 9; ++i) scale *= 10;
    ns = u128{units} * scale;
  } else {
    u128 div = 1;
    for (int i = 9; i < ifc.exp && i < 48; ++i) div *= 10;
    ns = u128{units} / div;
  }
  i128 total = static_cast<i128>(ns) + static_cast<i128>(ifc.offset_s) * 1'000'000'000;
  if (total < 0 || total > static_cast<i128>(UINT64_MAX)) {
    overflow = true;
    return UINT64_MAX;
  }
  return static_cast<std::uint64_t>(total);
}

std::string PcapngParser::on_packet(Batch& batch, std::size_t pos, std::uint32_t type, std::uint32_t len) {
  const std::uint8_t* block = batch.data.get() + pos;
  Record r;
  std::uint32_t data_at = 0;
  std::uint64_t units = 0;
  std::uint32_t if_id = 0;
  if (type == kEnhancedPacket || type == kObsoletePacket) {
    if (len < 32) return "packet block too short (" + std::to_string(len) + " bytes)";
    if (type == kEnhancedPacket) {
      if_id = load<std::uint32_t>(block + 8, swap_);
    } else {
      if_id = load<std::uint16_t>(block + 8, swap_);
    }
    units = (std::uint64_t{load<std::uint32_t>(block + 12, swap_)} << 32) | load<std::uint32_t>(block + 16, swap_);
    r.caplen = load<std::uint32_t>(block + 20, swap_);
    r.wirelen = load<std::uint32_t>(block + 24, swap_);
    data_at = 28;
    if (r.caplen > len - 32) {
      return "packet captured length " + std::to_string(r.caplen) + " runs past its " + std::to_string(len) +
             "-byte block";
    }
  } else {  // simple packet block: interface 0, no timestamp, captured length from the block
    if (len < 16) return "simple packet block too short (" + std::to_string(len) + " bytes)";
    r.wirelen = load<std::uint32_t>(block + 8, swap_);
    data_at = 12;
    r.caplen = std::min(r.wirelen, len - 16);
  }
  if (if_id >= interfaces_.size()) {
    return "packet for interface " + std::to_string(if_id) + " but the section defines " +
           std::to_string(interfaces_.size());
  }
  const Interface& ifc = interfaces_[if_id];
  if (type == kSimplePacket) {
    if (ifc.snaplen != 0) r.caplen = std::min(r.caplen, ifc.snaplen);
    r.ts_ns = last_ts_;
    r.flags = kNoTimestamp;
  } else {
    bool overflow = false;
    r.ts_ns = to_ns(ifc, units, overflow);
    if (overflow) {
      r.flags = kTsOverflow;
    } else {
      last_ts_ = r.ts_ns;
    }
  }
  r.offset = static_cast<std::uint32_t>(pos + data_at);
  r.format = ifc.format;
  r.interface = if_id;
  batch.records.push_back(r);
  return {};
}

ParseResult PcapngParser::parse(Batch& batch, std::size_t begin, std::size_t end, bool eof) {
  ParseResult out;
  std::size_t pos = begin;
  const std::uint8_t* base = batch.data.get();
  while (end - pos >= 12) {
    const std::uint8_t* block = base + pos;
    const std::uint64_t at = batch.file_offset + pos;
    std::uint32_t type = load_host<std::uint32_t>(block);
    if (type == kSectionHeader) {  // palindromic, so byte order does not matter here
      std::uint32_t magic = load_host<std::uint32_t>(block + 8);
      if (magic == kByteOrderMagic) {
        swap_ = false;
      } else if (byte_swap(magic) == kByteOrderMagic) {
        swap_ = true;
      } else {
        out.error = damage(at + 8, "section header has no byte-order magic");
        break;
      }
    } else {
      type = swap_ ? byte_swap(type) : type;
      if (!in_section_) {
        out.error = damage(at, "block before the first section header");
        break;
      }
    }
    std::uint32_t len = load<std::uint32_t>(block + 4, swap_);
    if (len < 12 || len % 4 != 0 || len > kMaxBlock) {
      out.error =
          damage(at + 4, "invalid block length " + std::to_string(len) + " (block type " + std::to_string(type) + ")");
      break;
    }
    if (end - pos < len) {
      out.next_need = len;
      break;
    }
    if (load<std::uint32_t>(block + len - 4, swap_) != len) {
      out.error =
          damage(at + len - 4, "block total length in header (" + std::to_string(len) + ") and trailer don't match");
      break;
    }
    std::string problem;
    if (type == kSectionHeader) {
      problem = on_section(block, len);
    } else if (type == kInterfaceDescription) {
      problem = on_interface(block, len);
    } else if (type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket) {
      problem = on_packet(batch, pos, type, len);
    }
    if (!problem.empty()) {
      out.error = damage(at, problem);
      break;
    }
    pos += len;
  }
  out.consumed = pos - begin;
  if (!out.error && eof && pos < end) {
    out.error = damage(batch.file_offset + pos,
                       "block cut short: " + std::to_string(end - pos) + " bytes left at the end of the file");
    out.next_need = 0;
  }
  return out;
}

}  // namespace pushcap::capture
