#pragma once
// Times on the command line (--from, --to): "2024-07-28T04:05:00Z", "2024-07-28T04:05:00.5Z",
// "2024-07-28 04:05:00" (UTC), or seconds since the epoch ("1722139500", "1722139500.25").

#include <cstdint>
#include <string>

#include "core/result.h"

namespace pushcap::cli {

/// Nanoseconds since the epoch.
Result<std::uint64_t> parse_time_arg(const std::string& text);

}  // namespace pushcap::cli
