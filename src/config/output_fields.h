#pragma once
// The fields that set how a target's splits leave it: Compress, and for Mode = "RCLONE" the
// rclone fields (RcloneConfig, RcloneFlags, SpoolDir, SpoolLimit, Upload, RetryMaxDelay,
// RcloneTimeout, Transfers). Written in Config they are defaults for every target; a target's
// own field wins.

#include <map>
#include <string>
#include <vector>

#include "config/lua_values.h"
#include "config/push_config.h"

namespace pushcap::config {

extern const std::vector<std::string> kOutputFields;

/// Output fields as written (numbers as Lua writes them); a target's own over Config's.
using OutputFields = std::map<std::string, std::string>;

/// Checks and resolves how the target's splits leave it (encoder, suffix, scripts, rclone) into
/// `t`, whose desc, path, pipe_cmd, post and spec are already read. `mode` is "file" or "rclone".
Result<void> resolve_output(const ConfigContext& ctx, const std::string& where, const std::string& mode,
                            const std::string& file_suffix, const OutputFields& fields, TargetConfig& t);

}  // namespace pushcap::config
