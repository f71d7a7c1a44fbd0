#pragma once
// Counters of one target, and the named reasons a packet can be left unwritten (DESIGN.md,
// invariant 1: nothing is lost silently).

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "decap/layer.h"

namespace pushcap::push {

/// Why a packet the target saw was not written (filtered-out packets are counted apart).
enum class DropReason : std::uint8_t {
  kTsUnrepresentable,  ///< timestamp past 2106 or beyond 64-bit ns: classic pcap cannot hold it
  kFilterLinktype,     ///< FilterBPF does not compile for the packet's link type
  kWriteFailed,        ///< the split holding it could not be written or made durable
  kInterrupted,        ///< a second signal asked to stop before it was written
  kPipeFailed,         ///< its split's PipeCmd failed: the split was kept raw, not published
  kUploadFailed,       ///< its streamed split (Upload = "stream") could not be completed
  kCount
};

/// A machine-friendly name for a reason ("ts_unrepresentable", ...).
const char* drop_reason_name(DropReason reason);
/// A sentence for summaries.
const char* drop_reason_text(DropReason reason);

/// Non-zero decap counters as (name, count): layers removed ("vlan", ...) and where decoding
/// stopped ("gre_unsupported", ...), for status JSON and summaries.
std::vector<std::pair<std::string, std::uint64_t>> decap_removed(const decap::DecapCounters& c);
std::vector<std::pair<std::string, std::uint64_t>> decap_problems(const decap::DecapCounters& c);

/// A consistent-enough snapshot of a target's counters.
struct TargetStats {
  std::uint64_t seen = 0;             ///< packets offered to the target
  std::uint64_t filtered = 0;         ///< rejected by the target's filter
  std::uint64_t accepted = 0;         ///< written into a split (published or not yet)
  std::uint64_t accepted_bytes = 0;   ///< record headers + captured bytes of those
  std::uint64_t published = 0;        ///< packets in published (final, durable) splits
  std::uint64_t published_bytes = 0;  ///< file bytes of published splits
  std::uint64_t splits = 0;           ///< splits published
  std::uint64_t splits_failed = 0;    ///< splits that could not be completed
  std::uint64_t last_ts = 0;          ///< timestamp of the last packet accepted
  std::uint64_t progress_ts = 0;      ///< packet time processed so far (last packet seen or watermark)
  std::uint64_t resume_skipped = 0;   ///< packets skipped on a restart: published before it
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> dropped{};
  bool decap_active = false;          ///< the target decapsulates, strips a trailer or reads frame tags
  decap::DecapCounters decap;         ///< what decap removed and where it stopped
  std::uint64_t pipe_failures = 0;    ///< splits whose PipeCmd failed
  std::uint64_t script_failures = 0;  ///< close or Post scripts that failed
  std::uint64_t scripts = 0;          ///< close or Post scripts run
  bool rclone = false;                ///< Mode = "RCLONE"
  std::uint64_t uploads = 0;          ///< splits under their final remote name
  std::uint64_t upload_retries = 0;   ///< failed upload attempts (each retried)
  std::uint64_t upload_pending = 0;   ///< splits waiting for upload or in progress
  std::uint64_t spool_bytes = 0;      ///< bytes in the spool
  std::uint64_t spool_waits = 0;      ///< times the target waited for room in a full spool
  std::string upload_error;           ///< the last failed attempt's error ("" after a success)
  bool failed = false;                ///< the target stopped on an I/O error
  std::string failure;                ///< that error
};

}  // namespace pushcap::push
