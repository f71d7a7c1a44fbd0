#include "filter/bpf_program.h"

#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/pcap_format.h"

namespace pushcap::filter {
namespace {

// Older libpcap's compiler kept global state; one compile at a time costs nothing here.
std::mutex& compile_mutex() {
  static std::mutex m;
  return m;
}

// libpcap compiles some filters differently for a savefile than for a live or dead handle (on
// DLT_NULL, "ip6" tests every BSD AF_INET6 value and the capture's byte order), so the program
// is compiled against a savefile: a 24-byte pcap header in memory. That also maps LINKTYPE_*
// values to the platform's DLT_* values as libpcap does when it reads a file.
pcap_t* open_savefile_handle(std::uint32_t linktype, std::uint32_t snaplen, bool swapped, std::string& error) {
  static thread_local std::uint8_t header[pcap::kFileHeaderSize];
  // A swapped capture is big-endian on this (little-endian) host: its header is written so.
  pcap::write_file_header({linktype, snaplen, false, swapped}, header);
  FILE* fp = fmemopen(header, sizeof header, "rb");
  if (fp == nullptr) {
    error = "fmemopen failed";
    return nullptr;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline(fp, errbuf);
  if (p == nullptr) {
    std::fclose(fp);
    error = errbuf;
  }
  return p;
}

}  // namespace

Result<BpfProgram> BpfProgram::compile(const std::string& expression, std::uint32_t linktype, std::uint32_t snaplen,
                                       bool swapped) {
  BpfProgram out;
  if (selects_everything(expression)) {
    out.match_all_ = true;
    return out;
  }
  std::lock_guard lock(compile_mutex());
  std::uint32_t snap = snaplen == 0 || snaplen > 262144 ? 262144 : snaplen;
  std::string open_error;
  pcap_t* dead = open_savefile_handle(linktype, snap, swapped, open_error);
  if (dead == nullptr) return fail(Errc::kInvalidArgument, open_error);
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

bool selects_everything(const std::string& expression) {
  return expression.find_first_not_of(" \t\r\n") == std::string::npos;
}

Result<void> validate_bpf(const std::string& expression) {
  auto program = BpfProgram::compile(expression, 1 /* LINKTYPE_ETHERNET */, 262144);
  if (!program) return fail(program.error());
  return {};
}

}  // namespace pushcap::filter
