#pragma once
// One entry of Config.Target, the table on top of the Lua stack, into a TargetConfig: its own
// fields (Desc, Mode, Path, Split, FileName, filters, scripts) and the decap and output fields,
// which inherit Config's.

#include <lua.hpp>

#include <string>
#include <vector>

#include "config/decap_fields.h"
#include "config/lua_values.h"
#include "config/output_fields.h"
#include "config/push_config.h"

namespace pushcap::config {

extern const std::vector<std::string> kTargetFields;

/// Reads target number `index` (1-based, for messages); errors name it by its Desc once known.
Result<TargetConfig> read_target(lua_State* L, const ConfigContext& ctx, int index, const DecapFields& global_decap,
                                 const OutputFields& global_output);

}  // namespace pushcap::config
