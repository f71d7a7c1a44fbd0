#include "config/lua_config.h"

#include <lua.hpp>

#include <set>

#include "config/decap_fields.h"
#include "config/lua_sandbox.h"
#include "config/lua_values.h"
#include "config/output_fields.h"
#include "config/target_fields.h"
#include "split/split_flags.h"

namespace pushcap::config {
namespace {

const std::vector<std::string> kGlobalFields = {
    "Target",        "FollowStart",     "Decap",      "LogDir",        "Trailer",       "TrailerFCS",
    "HWTimestamp",   "SrcMacTimestamp", "VXLANPorts", "Compress",      "RcloneConfig",  "RcloneFlags",
    "SpoolDir",      "SpoolLimit",      "Upload",     "RetryMaxDelay", "RcloneTimeout", "Transfers",
    "ScriptTimeout", "ScriptWorkers",   "Schedule",   "ScheduleUTC"};

/// Config's own fields as read, before the targets.
struct Globals {
  DecapFields decap;
  OutputFields output;
  bool has_targets = false;
  std::vector<std::string> schedule;
  bool schedule_utc = false;
};

// Schedule: a string, or a list of strings.
Result<void> read_schedule(lua_State* L, const ConfigContext& ctx, std::vector<std::string>& out) {
  if (lua_type(L, -1) == LUA_TSTRING) {
    out.emplace_back(lua_tostring(L, -1));
    return {};
  }
  if (!lua_istable(L, -1)) {
    return fail(
        ctx.error("Config", "field Schedule must be a string or a list of strings like \"Mon-Fri 08:00-18:00\""));
  }
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = 1; i <= n && i <= 1000; ++i) {
    lua_rawgeti(L, -1, i);
    const bool ok = lua_type(L, -1) == LUA_TSTRING;
    if (ok) out.emplace_back(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!ok) {
      return fail(ctx.error("Config",
                            "Schedule entry " + std::to_string(i) + " must be a string like \"Mon-Fri 08:00-18:00\""));
    }
  }
  return {};
}

// ScriptTimeout (seconds) or ScriptWorkers.
Result<int> read_script_limit(lua_State* L, const ConfigContext& ctx, const std::string& key) {
  auto v = as_text(L, ctx, "Config", key);
  auto n = v ? split::parse_count(*v) : Result<std::uint64_t>(fail(v.error()));
  const std::uint64_t max = key == "ScriptTimeout" ? 86400 : 64;
  if (!n || *n > max) {
    return fail(ctx.error("Config", "field " + key + " must be a whole number from 1 to " + std::to_string(max) +
                                        (key == "ScriptTimeout" ? " (seconds)" : "")));
  }
  return static_cast<int>(*n);
}

// One field of Config, the key and value on top of the stack.
Result<void> read_global(lua_State* L, const ConfigContext& ctx, const std::string& key, Globals& g, PushConfig& cfg) {
  if (key == "FollowStart" || key == "ScheduleUTC") {
    auto b = as_bool(L, ctx, "Config", key);
    if (!b) return fail(b.error());
    (key == "FollowStart" ? cfg.follow_start : g.schedule_utc) = *b;
    return {};
  }
  if (key == "Schedule") return read_schedule(L, ctx, g.schedule);
  if (contains(kDecapFields, key)) return read_decap_field(L, ctx, "Config", key, g.decap);
  if (contains(kOutputFields, key)) {
    auto v = as_text(L, ctx, "Config", key);
    if (!v) return fail(v.error());
    g.output[key] = *v;
    return {};
  }
  if (key == "ScriptTimeout" || key == "ScriptWorkers") {
    auto n = read_script_limit(L, ctx, key);
    if (!n) return fail(n.error());
    (key == "ScriptTimeout" ? cfg.script_timeout : cfg.script_workers) = *n;
    return {};
  }
  if (key == "LogDir") {
    auto s = as_string(L, ctx, "Config", key);
    if (!s) return fail(s.error());
    cfg.log_dir = *s;
    return {};
  }
  if (key == "Target") {
    if (!lua_istable(L, -1)) return fail(ctx.error("Config", "field Target must be a list of target tables"));
    g.has_targets = true;
    return {};
  }
  return fail(ctx.error("Config", unknown_field_message(key, kGlobalFields)));
}

// Every field of the Config table on top of the stack but the targets' contents.
Result<Globals> read_globals(lua_State* L, const ConfigContext& ctx, PushConfig& cfg) {
  Globals g;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    Result<void> r = lua_type(L, -2) != LUA_TSTRING
                         ? fail(ctx.error("Config", "has a field whose name is not a string"))
                         : read_global(L, ctx, lua_tostring(L, -2), g, cfg);
    if (!r) {
      lua_pop(L, 2);
      return fail(r.error());
    }
    lua_pop(L, 1);
  }
  if (!g.has_targets)
    return fail(ctx.error("Config", "field Target is missing (Config.Target = {} and table.insert(...))"));
  return g;
}

// Config.Target, the list on top of the stack: only list entries (a string key inside Target
// is a misplaced target field); returns its length.
Result<lua_Unsigned> check_target_list(lua_State* L, const ConfigContext& ctx) {
  const lua_Unsigned n = lua_rawlen(L, -1);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    bool ok = lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 && static_cast<lua_Unsigned>(lua_tointeger(L, -2)) <= n;
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      return fail(ctx.error("Config.Target", "must be a list of targets (use table.insert(Config.Target, {...}))"));
    }
  }
  if (n == 0) return fail(ctx.error("Config.Target", "is empty: nothing to push"));
  return n;
}

// The targets of Config.Target, the list on top of the stack, into cfg.targets.
Result<void> read_targets(lua_State* L, const ConfigContext& ctx, const Globals& g, PushConfig& cfg) {
  auto n = check_target_list(L, ctx);
  if (!n) return fail(n.error());
  std::set<std::string> descs;
  for (lua_Unsigned i = 1; i <= *n; ++i) {
    const std::string where = "target #" + std::to_string(i);
    lua_rawgeti(L, -1, static_cast<lua_Integer>(i));
    if (!lua_istable(L, -1))
      return fail(ctx.error(where, std::string("must be a table, not a ") + lua_typename(L, lua_type(L, -1))));
    auto t = read_target(L, ctx, static_cast<int>(i), g.decap, g.output);
    lua_pop(L, 1);
    if (!t) return fail(t.error());
    if (!descs.insert(t->desc).second) {
      return fail(ctx.error(where, "duplicate Desc '" + t->desc + "' (each target needs its own; it names the log)"));
    }
    for (const auto& other : cfg.targets) {
      if (other.prefix == t->prefix && other.spec.suffix == t->spec.suffix) {
        cfg.warnings.push_back("targets '" + other.desc + "' and '" + t->desc + "' write to the same prefix \"" +
                               t->prefix + "\": their files never overwrite each other but take _1, _2... names");
      }
    }
    cfg.targets.push_back(std::move(*t));
  }
  return {};
}

// The table the config returned, on top of the stack.
Result<PushConfig> convert(lua_State* L, const ConfigContext& ctx) {
  PushConfig cfg;
  cfg.file = ctx.file;
  if (!lua_istable(L, -1)) {
    return fail(ctx.error("result", std::string("the config must return a table (end it with 'return Config'), not ") +
                                        (lua_isnone(L, -1) ? "nothing" : lua_typename(L, lua_type(L, -1)))));
  }
  auto g = read_globals(L, ctx, cfg);
  if (!g) return fail(g.error());
  if (auto sched = Schedule::parse(g->schedule, g->schedule_utc); sched) {
    cfg.schedule = std::move(*sched);
  } else {
    return fail(ctx.error("Config", sched.error().message()));
  }
  lua_getfield(L, -1, "Target");
  auto r = read_targets(L, ctx, *g, cfg);
  lua_pop(L, 1);
  if (!r) return fail(r.error());
  return cfg;
}

}  // namespace

Result<PushConfig> load_config(const std::string& path, const LuaLimits& limits) {
  ConfigContext ctx{path};
  LuaSandbox sandbox(limits);
  lua_State* L = sandbox.get();
  int rc = luaL_loadfilex(L, path.c_str(), "t");
  if (rc == LUA_OK) rc = lua_pcall(L, 0, 1, 0);
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown Lua error";
    if (rc == LUA_ERRMEM || sandbox.out_of_memory()) {
      msg = path + ": the config used more than " + std::to_string(sandbox.memory_limit() >> 20) +
            " MiB of memory (a table that grows without end?)";
    } else if (rc == LUA_ERRFILE) {
      msg = "cannot read config: " + msg;
    } else if (rc == LUA_ERRSYNTAX) {
      msg = "syntax error: " + msg;
    }
    return fail(Errc::kInvalidArgument, msg);
  }
  sandbox.stop_clock();
  return convert(L, ctx);
}

}  // namespace pushcap::config
