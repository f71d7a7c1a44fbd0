#include "push/target_stats.h"

namespace pushcap::push {

const char* drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kTsUnrepresentable:
      return "ts_unrepresentable";
    case DropReason::kFilterLinktype:
      return "filter_linktype";
    case DropReason::kWriteFailed:
      return "write_failed";
    case DropReason::kInterrupted:
      return "interrupted";
    case DropReason::kCount:
      break;
  }
  return "?";
}

const char* drop_reason_text(DropReason reason) {
  switch (reason) {
    case DropReason::kTsUnrepresentable:
      return "timestamp not representable in classic pcap (after 2106)";
    case DropReason::kFilterLinktype:
      return "FilterBPF does not apply to the packet's link type";
    case DropReason::kWriteFailed:
      return "the split could not be written or made durable";
    case DropReason::kInterrupted:
      return "interrupted by a second signal before being written";
    case DropReason::kCount:
      break;
  }
  return "?";
}

}  // namespace pushcap::push
