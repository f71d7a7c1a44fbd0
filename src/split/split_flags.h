#pragma once
// Parses the original pcap_split's flags (and pushcap's additions) into a SplitSpec.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "split/split_spec.h"

namespace pushcap::split {

/// Splits a flag string into words as a POSIX shell would (single and double quotes, backslash).
Result<std::vector<std::string>> split_words(const std::string& text);

/// Parses a count such as "60e9", "1e6" or "1000000": a whole, positive number below 2^63.
Result<std::uint64_t> parse_count(const std::string& text);

/// Applies `args` to `spec`. Unknown flags, missing or bad values fail with a message naming
/// the flag. The original appliance's --rclone, --ring and --roll-period fail with what to use instead.
Result<void> apply_split_flags(const std::vector<std::string>& args, SplitSpec& spec);

/// True when `flag` is followed by a value ("--split-time 60e9"), for callers that must pick
/// split flags out of a longer command line; includes the flags of later versions.
bool split_flag_takes_value(const std::string& flag);

/// Every flag apply_split_flags knows, for help text and nearest-name hints.
const std::vector<std::string>& known_split_flags();

}  // namespace pushcap::split
