#include "capture/link_format.h"

namespace pushcap::capture {

bool FormatRegistry::intern(const LinkFormat& format, FormatId& id) {
  const std::uint64_t packed = (std::uint64_t{format.linktype & 0xFFFFu} << 48) |
                               (std::uint64_t{format.snaplen} << 16) |
                               (format.resolution == TsResolution::kNano ? 1u : 0u) | (format.swapped ? 2u : 0u);
  std::string key(reinterpret_cast<const char*>(&packed), sizeof packed);
  key += format.interface_name;
  if (auto it = ids_.find(key); it != ids_.end()) {
    id = it->second;
    return true;
  }
  const auto& table = *snapshot_;
  if (table.size() >= kMaxFormats) return false;
  auto next = std::make_shared<FormatTable>(table);
  next->push_back(format);
  id = static_cast<FormatId>(table.size());
  ids_.emplace(std::move(key), id);
  snapshot_ = std::move(next);
  return true;
}

const char* linktype_name(std::uint32_t linktype) {
  switch (linktype) {
    case 0:
      return "NULL";
    case 1:
      return "EN10MB";
    case 9:
      return "PPP";
    case 12:
      return "RAW(12)";
    case 101:
      return "RAW";
    case 108:
      return "LOOP";
    case 113:
      return "LINUX_SLL";
    case 127:
      return "IEEE802_11_RADIOTAP";
    case 228:
      return "IPV4";
    case 229:
      return "IPV6";
    case 239:
      return "NFLOG";
    case 253:
      return "NETLINK";
    case 274:
      return "ETHERNET_MPACKET";
    case 276:
      return "LINUX_SLL2";
    default:
      return nullptr;
  }
}

}  // namespace pushcap::capture
