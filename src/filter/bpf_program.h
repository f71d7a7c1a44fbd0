#pragma once
// A BPF program compiled by libpcap for one link type, as tcpdump would compile it.

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace pushcap::filter {

/// A compiled filter. An empty expression matches everything; an expression libpcap proves can
/// match nothing ("expression rejects all packets") is kept as a program that matches nothing.
class BpfProgram {
 public:
  /// Compiles `expression` for `linktype` with libpcap's optimizer, exactly as tcpdump compiles
  /// it when reading a capture file of that link type, snap length and byte order (`swapped`:
  /// written big-endian); the error carries libpcap's own message.
  static Result<BpfProgram> compile(const std::string& expression, std::uint32_t linktype, std::uint32_t snaplen,
                                    bool swapped = false);

  /// True when the packet passes. `caplen` must already be clamped to the input's snap length.
  [[nodiscard]] bool match(const std::uint8_t* packet, std::uint32_t caplen, std::uint32_t wirelen) const {
    if (match_all_) return true;
    if (match_none_) return false;
    pcap_pkthdr hdr{};
    hdr.caplen = caplen;
    hdr.len = wirelen;
    return pcap_offline_filter(&program_->prog, &hdr, packet) != 0;
  }
  /// True when every packet passes (no expression).
  [[nodiscard]] bool matches_all() const { return match_all_; }
  /// True when libpcap proved no packet can pass.
  [[nodiscard]] bool matches_none() const { return match_none_; }

 private:
  struct Owned {
    bpf_program prog{};
    ~Owned() { pcap_freecode(&prog); }
  };
  std::shared_ptr<Owned> program_;
  bool match_all_ = false;
  bool match_none_ = false;
};

/// True when `expression` is empty or blank: it selects every packet, no program is needed.
bool selects_everything(const std::string& expression);

/// Checks that `expression` compiles for Ethernet; used when a config is loaded.
Result<void> validate_bpf(const std::string& expression);

}  // namespace pushcap::filter
