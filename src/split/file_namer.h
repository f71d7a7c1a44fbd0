#pragma once
// Names a finished split from its times, in the --filename-* layout of its SplitSpec.

#include <cstdint>
#include <string>

#include "split/split_spec.h"

namespace pushcap::split {

/// The times a split's name can be built from (ns since the epoch).
struct SplitTimes {
  std::uint64_t start = 0;  ///< time mode: the aligned start; other modes: the first packet
  std::uint64_t end = 0;    ///< time mode: start + period; other modes: the last packet
};

/// Builds names "<prefix><stem><suffix>". Time strings use the process's TZ unless spec.utc.
class FileNamer {
 public:
  FileNamer(const SplitSpec& spec, std::string prefix) : spec_(spec), prefix_(std::move(prefix)) {}

  /// The stem (no prefix, no suffix) for a split.
  [[nodiscard]] std::string stem(const SplitTimes& times) const;
  /// The full path for a split; `serial` > 0 appends "_<serial>" before the suffix (used when
  /// the plain name is taken), and `tag` (e.g. "_dlt113_ns") marks a second output format.
  [[nodiscard]] std::string path(const SplitTimes& times, const std::string& tag, unsigned serial) const;

 private:
  SplitSpec spec_;
  std::string prefix_;
};

/// The config's Path rule: "dir/" stays, a name ending in '_', '-' or '.' stays, any other name
/// gets '_' appended (so "/mnt/push/all" gives "/mnt/push/all_20210101_010101.pcap").
std::string prefix_from_path(const std::string& path);

}  // namespace pushcap::split
