#pragma once
// FilterFrame: selects packets by values of their capture and encapsulation layers, in the
// original's syntax: clauses `key==v1,v2` or `key!=v1,v2`, separated by spaces and OR'd.
//   capture.port==1,2 vlan.id!=100
// passes packets from pcapng interface 1 or 2, and packets not on VLAN 100. A `==` clause passes
// when any of the packet's values for the key is listed (a packet has one vlan.id per tag); a
// `!=` clause passes when none is listed (so a packet without the key passes it). Keys:
// capture.port, capture.interface (pcapng interface name), a7130.srcdevice, a7130.srcport,
// c3550.srcport, vlan.id, mpls.label, gre.key, erspan.session, vxlan.vni, geneve.vni.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "decap/frame_tags.h"

namespace pushcap::filter {

class FrameFilter {
 public:
  /// Parses an expression; an error names the 1-based column and what is wrong there.
  static Result<FrameFilter> parse(const std::string& expression);

  /// True when the expression is empty: every packet passes.
  [[nodiscard]] bool empty() const { return clauses_.empty(); }
  /// True when a clause needs values that only the decap chain finds (anything but capture.*).
  [[nodiscard]] bool needs_layers() const { return needs_layers_; }
  /// True when a clause needs the pcapng interface name.
  [[nodiscard]] bool needs_interface_name() const { return needs_name_; }

  /// True when the packet passes. `interface_name` is used only by capture.interface clauses.
  [[nodiscard]] bool match(const decap::FrameTags& tags, const std::string& interface_name) const;

  /// The keys, for messages and docs.
  static std::string known_keys();

 private:
  struct Clause {
    bool name_key = false;  // capture.interface: compares names
    decap::TagKey key{};
    bool negated = false;
    std::vector<std::uint32_t> values;
    std::vector<std::string> names;
  };
  std::vector<Clause> clauses_;
  bool needs_layers_ = false;
  bool needs_name_ = false;
};

}  // namespace pushcap::filter
