#pragma once
// Loads a push config written in Lua 5.4, as the original's push_realtime.lua / push_pcap.lua.

#include <string>

#include "config/push_config.h"
#include "core/result.h"

namespace pushcap::config {

/// Limits on running a config script, so a config that never ends or grows without bound is
/// stopped with a clear error instead of hanging the service.
struct LuaLimits {
  double seconds = 5.0;                   ///< CPU-time budget (checked every 10k instructions)
  std::size_t memory_bytes = 256u << 20;  ///< heap the script may hold
};

/// Runs the script at `path` and converts the table it returns. Every error names the file (and
/// line, for syntax and runtime errors), the target's Desc and the field.
Result<PushConfig> load_config(const std::string& path, const LuaLimits& limits = {});

}  // namespace pushcap::config
