#include "capture/link_format.h"

#include <limits>

namespace pushcap::capture {

bool FormatRegistry::intern(const LinkFormat& format, FormatId& id) {
  const auto& table = *snapshot_;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i] == format) {
      id = static_cast<FormatId>(i);
      return true;
    }
  }
  if (table.size() >= std::numeric_limits<FormatId>::max()) return false;
  auto next = std::make_shared<FormatTable>(table);
  next->push_back(format);
  id = static_cast<FormatId>(table.size());
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
