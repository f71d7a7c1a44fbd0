#pragma once
// The per-packet format that output files are keyed on: link type, snap length, time resolution.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/pcap_format.h"

namespace pushcap::capture {

/// Time resolution of a packet's timestamp as written to a classic pcap file.
enum class TsResolution : std::uint8_t { kMicro, kNano };

/// libpcap's largest snap length for ordinary link types (MAXIMUM_SNAPLEN); also the largest
/// captured length a classic pcap record may have before it is treated as damage, as libpcap does.
inline constexpr std::uint32_t kMaxSnaplen = pcap::kMaxSnaplen;

/// The link-layer and timestamp format of a packet; equal formats can share one pcap file.
struct LinkFormat {
  std::uint32_t linktype = 0;  ///< LINKTYPE_* value (1 = Ethernet)
  std::uint32_t snaplen = 0;   ///< the input's snap length (pcapng: 0 means "no limit")
  TsResolution resolution = TsResolution::kMicro;
  bool swapped = false;        ///< the capture was written in big-endian byte order
  std::string interface_name;  ///< pcapng if_name of the interface ("" when none); FilterFrame's capture.interface
  bool operator==(const LinkFormat&) const = default;
};

/// Index of a LinkFormat in the run's format table.
using FormatId = std::uint16_t;

/// An immutable snapshot of the run's format table, shared by the batches that refer to it.
using FormatTable = std::vector<LinkFormat>;
using FormatTablePtr = std::shared_ptr<const FormatTable>;

/// Interns LinkFormats into small ids, publishing a new immutable snapshot when one is added.
/// Used by the reader thread only; targets see the snapshots carried by batches.
class FormatRegistry {
 public:
  /// Distinct formats one run may have. Real captures have a handful; the bound keeps a hostile
  /// file of interface blocks from costing quadratic time or unbounded memory.
  static constexpr std::size_t kMaxFormats = 1024;

  FormatRegistry() : snapshot_(std::make_shared<FormatTable>()) {}
  /// The id of `format`, adding it if new; false when kMaxFormats are already in use.
  bool intern(const LinkFormat& format, FormatId& id);
  /// The current snapshot.
  [[nodiscard]] const FormatTablePtr& snapshot() const { return snapshot_; }

 private:
  FormatTablePtr snapshot_;
  std::unordered_map<std::string, FormatId> ids_;  // packed (linktype, snaplen, flags) + name -> id
};

/// A short name for a link type ("EN10MB", "LINUX_SLL", ...) or its number.
const char* linktype_name(std::uint32_t linktype);

}  // namespace pushcap::capture
