#include "filter/bpf_program.h"

#include <mutex>

namespace pushcap::filter {
namespace {

// Older libpcap's compiler kept global state; one compile at a time costs nothing here.
std::mutex& compile_mutex() {
  static std::mutex m;
  return m;
}

// pcap files carry LINKTYPE_* values; pcap_open_dead wants the platform's DLT_* value. They are
// equal except for a few old types (libpcap's pcap-common.c keeps the same table).
int linktype_to_dlt(std::uint32_t linktype) {
  switch (linktype) {
    case 100: return 11;  // ATM_RFC1483
    case 101: return 12;  // RAW
    case 102: return 15;  // SLIP_BSDOS
    case 103: return 16;  // PPP_BSDOS
    case 106: return 19;  // ATM_CLIP
    default: return static_cast<int>(linktype);
  }
}

bool is_blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

Result<BpfProgram> BpfProgram::compile(const std::string& expression, std::uint32_t linktype, std::uint32_t snaplen) {
  BpfProgram out;
  if (is_blank(expression)) {
    out.match_all_ = true;
    return out;
  }
  std::lock_guard lock(compile_mutex());
  int snap = snaplen == 0 || snaplen > 262144 ? 262144 : static_cast<int>(snaplen);
  pcap_t* dead = pcap_open_dead(linktype_to_dlt(linktype), snap);
  if (dead == nullptr) return fail(Errc::kIo, "pcap_open_dead failed");
  auto owned = std::make_shared<Owned>();
  int rc = pcap_compile(dead, &owned->prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  std::string message = rc != 0 ? pcap_geterr(dead) : "";
  pcap_close(dead);
  if (rc != 0) {
    if (message.find("expression rejects all packets") != std::string::npos) {
      out.match_none_ = true;
      return out;
    }
    return fail(Errc::kInvalidArgument, message);
  }
  out.program_ = std::move(owned);
  return out;
}

Result<void> validate_bpf(const std::string& expression) {
  auto program = BpfProgram::compile(expression, 1 /* LINKTYPE_ETHERNET */, 262144);
  if (!program) return fail(program.error());
  return {};
}

}  // namespace pushcap::filter
