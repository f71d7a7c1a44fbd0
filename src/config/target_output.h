#pragma once
// How a target's splits are encoded and which scripts follow them, from its fields and the
// original's SplitCmd flags (--pipe-cmd, --script-close, --script-post, --compress): shared by
// the Lua config and `pushcap split`.

#include <string>

#include "config/push_config.h"
#include "core/result.h"

namespace pushcap::config {

/// Fills t.pipe_cmd, t.post, t.script_close from t.spec where the fields left them empty, parses
/// `compress` (the Compress field, or "" for the spec's --compress), and sets the suffix:
/// `file_suffix` if given, else ".pcap" plus the codec's. Errors name the field at fault.
Result<void> resolve_encoding(TargetConfig& t, const std::string& compress, const std::string& file_suffix);

}  // namespace pushcap::config
