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
    {"pipe_failed", "its split's PipeCmd failed (the raw split was kept, not published)"},
    {"upload_failed", "its streamed split could not be completed on the remote"},
};
static_assert(std::size(kReasons) == static_cast<std::size_t>(DropReason::kCount));

}  // namespace

const char* drop_reason_name(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].name;
}

const char* drop_reason_text(DropReason reason) {
  return kReasons[static_cast<std::size_t>(reason)].text;
}

std::vector<std::pair<std::string, std::uint64_t>> decap_removed(const decap::DecapCounters& c) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t l = 0; l < decap::kLayerCount; ++l) {
    if (c.removed[l] != 0) out.emplace_back(decap::layer_name(static_cast<decap::Layer>(l)), c.removed[l]);
  }
  if (c.keyframes != 0) out.emplace_back("a7150_keyframes", c.keyframes);
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> decap_problems(const decap::DecapCounters& c) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (std::size_t l = 0; l < decap::kLayerCount; ++l) {
    for (std::size_t p = 0; p < decap::kProblemCount; ++p) {
      const std::uint64_t n = c.problems[l * decap::kProblemCount + p];
      if (n == 0) continue;
      out.emplace_back(std::string(decap::layer_name(static_cast<decap::Layer>(l))) + "_" +
                           decap::problem_name(static_cast<decap::Problem>(p)),
                       n);
    }
  }
  return out;
}

}  // namespace pushcap::push
