#include "push/target_stats.h"

#include <iterator>

namespace pushcap::push {
namespace {

struct ReasonText {
  const char* name;
  const char* text;
};

// Indexed by DropReason.
constexpr ReasonText kReasons[] = {
    {"ts_unrepresentable", "timestamp not representable in classic pcap (after 2106)"},
    {"filter_linktype", "FilterBPF does not apply to the packet's link type"},
    {"write_failed", "the split could not be written or made durable"},
    {"interrupted", "interrupted by a second signal before being written"},
};
static_assert(std::size(kReasons) == static_cast<std::size_t>(DropReason::kCount));

}  // namespace

const char* drop_reason_name(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].name;
}

const char* drop_reason_text(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].text;
}

}  // namespace pushcap::push
