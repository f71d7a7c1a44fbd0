#include "decap/layer.h"

#include <iterator>

namespace pushcap::decap {
namespace {

constexpr const char* kLayerNames[] = {"ethernet", "vlan",    "mpls",      "pppoe",   "vntag",  "arista",
                                       "ipv4",     "ipv6",    "udp",       "gre",     "erspan", "vxlan",
                                       "geneve",   "trailer", "timestamp", "linktype"};
static_assert(std::size(kLayerNames) == kLayerCount);

constexpr const char* kProblemNames[] = {"truncated", "invalid", "unsupported", "too_deep", "fragmented", "missing"};
static_assert(std::size(kProblemNames) == kProblemCount);

}  // namespace

const char* layer_name(Layer layer) {
  return kLayerNames[static_cast<std::size_t>(layer)];
}
const char* problem_name(Problem problem) {
  return kProblemNames[static_cast<std::size_t>(problem)];
}

}  // namespace pushcap::decap
