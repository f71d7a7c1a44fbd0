#pragma once
// `pushcap import`: writes capture files into a store as a new stream, as if captured live:
// nanosecond pcap segments, their index, the watermark, stream.json. For moving history into a
// store, and for measuring the store's write path at disk speed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capture/input_list.h"
#include "core/result.h"

namespace pushcap::store {

/// What an import does.
struct ImportOptions {
  std::string store_dir;
  std::string name;  ///< capture name
  std::uint64_t segment_bytes = 256u << 20;
  std::function<void(const std::string&)> log;
};

/// What it came to.
struct ImportReport {
  std::string stream;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;    ///< record bytes written
  std::uint64_t skipped = 0;  ///< records of another link type than the first (not written)
  double seconds = 0;
  std::vector<Error> errors;  ///< damaged inputs (the records before the damage are kept)
};

/// Imports `inputs` in order into one new stream.
Result<ImportReport> import_captures(const std::vector<capture::Input>& inputs, const ImportOptions& options);

}  // namespace pushcap::store
