#include "config/lua_config.h"

#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "config/nearest_name.h"
#include "config/target_output.h"
#include "decap/trailer.h"
#include "encode/compression.h"
#include "filter/bpf_program.h"
#include "filter/frame_filter.h"
#include "sink/rclone.h"
#include "split/file_namer.h"
#include "split/split_flags.h"

namespace pushcap::config {
namespace {

// ---- the Lua state, with a memory cap and a time budget -------------------------------------

struct AllocState {
  std::size_t used = 0;
  std::size_t limit = 0;
  bool exceeded = false;
};

void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* st = static_cast<AllocState*>(ud);
  std::size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    st->used -= old;
    return nullptr;
  }
  if (nsize > old && st->used + (nsize - old) > st->limit) {
    st->exceeded = true;
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) st->used = st->used - old + nsize;
  return p;
}

struct HookState {
  std::clock_t deadline = 0;
  bool expired = false;
};
HookState* g_hook = nullptr;  // one config is loaded at a time, from the main thread

void budget_hook(lua_State* L, lua_Debug*) {
  if (g_hook != nullptr && std::clock() > g_hook->deadline) {
    g_hook->expired = true;
    luaL_error(L, "the config did not finish within its time budget (an endless loop?)");
  }
}

class LuaState {
 public:
  explicit LuaState(const LuaLimits& limits) {
    alloc_.limit = limits.memory_bytes;
    L_ = lua_newstate(limited_alloc, &alloc_);
    if (L_ == nullptr) throw std::runtime_error("cannot create a Lua state");
    // The safe part of the standard library; a config has no need to run programs or write files.
    luaL_requiref(L_, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L_, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L_, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L_, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L_, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L_, LUA_OSLIBNAME, luaopen_os, 1);
    lua_settop(L_, 0);
    lua_getglobal(L_, "os");
    for (const char* unsafe : {"execute", "exit", "remove", "rename", "tmpname", "setlocale"}) {
      lua_pushnil(L_);
      lua_setfield(L_, -2, unsafe);
    }
    lua_pop(L_, 1);
    hook_.deadline = std::clock() + static_cast<std::clock_t>(limits.seconds * CLOCKS_PER_SEC);
    g_hook = &hook_;
    lua_sethook(L_, budget_hook, LUA_MASKCOUNT, 10000);
  }
  ~LuaState() {
    g_hook = nullptr;
    lua_close(L_);
  }
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() { return L_; }
  [[nodiscard]] bool out_of_memory() const { return alloc_.exceeded; }
  [[nodiscard]] std::size_t memory_limit() const { return alloc_.limit; }

 private:
  AllocState alloc_;
  HookState hook_;
  lua_State* L_ = nullptr;
};

// ---- conversion ----------------------------------------------------------------------------

// Fields that set how packets are de-encapsulated; in Config they are defaults for every target.
const std::vector<std::string> kDecapFields = {"Decap",       "Trailer",         "TrailerFCS",
                                               "HWTimestamp", "SrcMacTimestamp", "VXLANPorts"};
// Fields that set how splits leave a target; in Config they are defaults for every target.
const std::vector<std::string> kOutputFields = {"Compress", "RcloneConfig",  "RcloneFlags",   "SpoolDir", "SpoolLimit",
                                                "Upload",   "RetryMaxDelay", "RcloneTimeout", "Transfers"};
const std::vector<std::string> kGlobalFields = {
    "Target",        "FollowStart",     "Decap",      "LogDir",        "Trailer",       "TrailerFCS",
    "HWTimestamp",   "SrcMacTimestamp", "VXLANPorts", "Compress",      "RcloneConfig",  "RcloneFlags",
    "SpoolDir",      "SpoolLimit",      "Upload",     "RetryMaxDelay", "RcloneTimeout", "Transfers",
    "ScriptTimeout", "ScriptWorkers",   "Schedule",   "ScheduleUTC"};
const std::vector<std::string> kTargetFields = {
    "Desc",          "Mode",          "Path",        "Split",           "FileName",   "FilterBPF",
    "FilterFrame",   "Decap",         "PipeCmd",     "FileSuffix",      "Post",       "SplitCmd",
    "Trailer",       "TrailerFCS",    "HWTimestamp", "SrcMacTimestamp", "VXLANPorts", "Compress",
    "ScriptClose",   "RcloneConfig",  "RcloneFlags", "SpoolDir",        "SpoolLimit", "Upload",
    "RetryMaxDelay", "RcloneTimeout", "Transfers"};

/// Output fields as written (numbers as Lua prints them); a target's own over Config's.
using OutputFields = std::map<std::string, std::string>;

/// Decap fields as written in Config or a target; unset ones inherit.
struct DecapFields {
  std::optional<bool> decap, trailer_fcs, hw_timestamp, src_mac_timestamp;
  std::optional<decap::TrailerKind> trailer;
  std::optional<std::vector<std::uint16_t>> vxlan_ports;

  /// These fields over `base`.
  [[nodiscard]] DecapFields over(const DecapFields& base) const {
    DecapFields r = *this;
    if (!r.decap) r.decap = base.decap;
    if (!r.trailer_fcs) r.trailer_fcs = base.trailer_fcs;
    if (!r.hw_timestamp) r.hw_timestamp = base.hw_timestamp;
    if (!r.src_mac_timestamp) r.src_mac_timestamp = base.src_mac_timestamp;
    if (!r.trailer) r.trailer = base.trailer;
    if (!r.vxlan_ports) r.vxlan_ports = base.vxlan_ports;
    return r;
  }
  [[nodiscard]] decap::DecapOptions options() const {
    decap::DecapOptions o;
    o.decap = decap.value_or(false);
    o.trailer = trailer.value_or(decap::TrailerKind::kNone);
    o.trailer_fcs = trailer_fcs.value_or(false);
    o.hw_timestamp = hw_timestamp.value_or(false);
    o.src_mac_timestamp = src_mac_timestamp.value_or(false);
    if (vxlan_ports) o.vxlan_ports = *vxlan_ports;
    return o;
  }
};

struct Ctx {
  std::string file;
  Error error(const std::string& where, const std::string& what) const {
    return Error(Errc::kInvalidArgument, file + ": " + where + ": " + what);
  }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string unknown_field_message(const std::string& key, const std::vector<std::string>& known) {
  std::string msg = "unknown field '" + key + "'";
  std::string near = nearest_name(key, known);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  return msg;
}

// Reads the value on top of the stack as an optional string; nil gives "".
Result<std::string> as_string(lua_State* L, const Ctx& ctx, const std::string& where, const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNIL) return std::string();
  if (t != LUA_TSTRING) {
    return fail(ctx.error(where, "field " + field + " must be a string, not a " + lua_typename(L, t)));
  }
  std::size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  return std::string(s, len);
}

Result<bool> as_bool(lua_State* L, const Ctx& ctx, const std::string& where, const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNIL) return false;
  if (t != LUA_TBOOLEAN) {
    return fail(ctx.error(where, "field " + field + " must be true or false, not a " + lua_typename(L, t)));
  }
  return lua_toboolean(L, -1) != 0;
}

// Reads a string or a number on top of the stack as text.
Result<std::string> as_text(lua_State* L, const Ctx& ctx, const std::string& where, const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNUMBER) {
    if (lua_isinteger(L, -1)) return std::to_string(lua_tointeger(L, -1));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", lua_tonumber(L, -1));
    return std::string(buf);
  }
  return as_string(L, ctx, where, field);
}

bool is_output_field(const std::string& key) {
  return std::find(kOutputFields.begin(), kOutputFields.end(), key) != kOutputFields.end();
}

// "10e9", "500G", "64M": bytes (K, M, G, T are powers of 1024).
Result<std::uint64_t> parse_size(const std::string& text) {
  std::string digits = text;
  std::uint64_t unit = 1;
  if (!digits.empty()) {
    switch (std::toupper(static_cast<unsigned char>(digits.back()))) {
      case 'K':
        unit = 1ull << 10;
        break;
      case 'M':
        unit = 1ull << 20;
        break;
      case 'G':
        unit = 1ull << 30;
        break;
      case 'T':
        unit = 1ull << 40;
        break;
      default:
        break;
    }
    if (unit != 1) digits.pop_back();
  }
  auto n = split::parse_count(digits);
  if (!n) return fail(n.error());
  if (*n > (std::uint64_t{1} << 62) / unit) return fail(Errc::kInvalidArgument, "'" + text + "' is too large");
  return *n * unit;
}

// Reads the decap field `key` (one of kDecapFields) from the value on top of the stack.
Result<void> read_decap_field(lua_State* L, const Ctx& ctx, const std::string& where, const std::string& key,
                              DecapFields& out) {
  if (key == "Trailer") {
    auto s = as_string(L, ctx, where, key);
    if (!s) return fail(s.error());
    auto kind = decap::parse_trailer_kind(lower(*s));
    if (!kind) {
      return fail(ctx.error(where, "field Trailer \"" + *s + "\" is not a known trailer (use one of " +
                                       decap::trailer_kind_names() + ")"));
    }
    out.trailer = *kind;
    return {};
  }
  if (key == "VXLANPorts") {
    std::vector<std::uint16_t> ports;
    auto add = [&](int idx) -> bool {
      if (!lua_isinteger(L, idx)) return false;
      lua_Integer v = lua_tointeger(L, idx);
      if (v < 1 || v > 65535) return false;
      ports.push_back(static_cast<std::uint16_t>(v));
      return true;
    };
    bool ok = true;
    if (lua_istable(L, -1)) {
      lua_Unsigned n = lua_rawlen(L, -1);
      for (lua_Unsigned i = 1; i <= n && ok; ++i) {
        lua_rawgeti(L, -1, static_cast<lua_Integer>(i));
        ok = add(-1);
        lua_pop(L, 1);
      }
      ok = ok && ports.size() <= decap::DecapOptions::kMaxExtraVxlanPorts;
    } else {
      ok = add(-1);
    }
    if (!ok) {
      return fail(ctx.error(where, "field VXLANPorts must be a UDP port or a list of up to " +
                                       std::to_string(decap::DecapOptions::kMaxExtraVxlanPorts) +
                                       " ports (e.g. {8472})"));
    }
    out.vxlan_ports = std::move(ports);
    return {};
  }
  auto b = as_bool(L, ctx, where, key);
  if (!b) return fail(b.error());
  if (key == "Decap") out.decap = *b;
  if (key == "TrailerFCS") out.trailer_fcs = *b;
  if (key == "HWTimestamp") out.hw_timestamp = *b;
  if (key == "SrcMacTimestamp") out.src_mac_timestamp = *b;
  return {};
}

bool is_decap_field(const std::string& key) {
  return std::find(kDecapFields.begin(), kDecapFields.end(), key) != kDecapFields.end();
}

// Converts the target table on top of the stack.
// Checks and resolves how the target's splits leave it: encoder, suffix, scripts, rclone.
Result<void> resolve_output(const Ctx& ctx, const std::string& where, const std::string& mode,
                            const std::string& file_suffix, const OutputFields& fields, TargetConfig& t);

Result<TargetConfig> read_target(lua_State* L, const Ctx& ctx, int index, const DecapFields& global_decap,
                                 const OutputFields& global_output) {
  TargetConfig t;
  std::string where = "target #" + std::to_string(index);
  // Desc first, so every later message can name the target.
  lua_getfield(L, -1, "Desc");
  auto desc = as_string(L, ctx, where, "Desc");
  lua_pop(L, 1);
  if (!desc) return fail(desc.error());
  if (desc->empty())
    return fail(ctx.error(where, "field Desc is missing (every target needs a Desc; it names its log)"));
  if (desc->find('/') != std::string::npos) {
    return fail(ctx.error(where, "field Desc '" + *desc + "' must not contain '/' (it names a log file)"));
  }
  t.desc = *desc;
  where = "target '" + t.desc + "'";

  std::string mode = "file";
  std::string file_suffix;
  DecapFields decap_fields;
  OutputFields output_fields = global_output;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fail(ctx.error(where, "has a field whose name is not a string (a list entry inside a target?)"));
    }
    std::string key = lua_tostring(L, -2);
    Result<std::string> s = std::string();
    if (is_decap_field(key)) {
      if (auto r = read_decap_field(L, ctx, where, key, decap_fields); !r) {
        lua_pop(L, 2);
        return fail(r.error());
      }
    } else if (is_output_field(key)) {
      auto v = as_text(L, ctx, where, key);
      if (!v) {
        lua_pop(L, 2);
        return fail(v.error());
      }
      output_fields[key] = *v;
    } else if (std::find(kTargetFields.begin(), kTargetFields.end(), key) == kTargetFields.end()) {
      lua_pop(L, 2);
      return fail(ctx.error(where, unknown_field_message(key, kTargetFields)));
    } else {
      s = as_string(L, ctx, where, key);
      if (!s) {
        lua_pop(L, 2);
        return fail(s.error());
      }
      if (key == "Mode")
        mode = lower(*s);
      else if (key == "Path")
        t.path = *s;
      else if (key == "Split")
        t.split = *s;
      else if (key == "FileName")
        t.file_name = *s;
      else if (key == "FilterBPF")
        t.filter_bpf = *s;
      else if (key == "FilterFrame")
        t.filter_frame = *s;
      else if (key == "PipeCmd")
        t.pipe_cmd = *s;
      else if (key == "FileSuffix")
        file_suffix = *s;
      else if (key == "Post")
        t.post = *s;
      else if (key == "ScriptClose")
        t.script_close = *s;
      else if (key == "SplitCmd")
        t.split_cmd = *s;
    }
    lua_pop(L, 1);
  }

  if (mode != "file" && mode != "rclone") {
    return fail(ctx.error(where, "field Mode must be \"File\" or \"RCLONE\", not \"" + mode + "\""));
  }
  if (t.path.empty()) return fail(ctx.error(where, "field Path is missing (where the split files go)"));
  if (t.split.empty()) return fail(ctx.error(where, "field Split is missing (e.g. \"--split-time 60e9\")"));

  // Split, FileName and SplitCmd are pcap_split flags; each is parsed on its own so a message
  // can say which field held the bad flag.
  const std::pair<const char*, const std::string*> flag_fields[] = {
      {"Split", &t.split}, {"FileName", &t.file_name}, {"SplitCmd", &t.split_cmd}};
  for (const auto& [field, text] : flag_fields) {
    auto words = split::split_words(*text);
    if (!words) return fail(ctx.error(where, std::string("field ") + field + ": " + words.error().message()));
    auto r = split::apply_split_flags(*words, t.spec);
    if (!r) {
      std::string msg = r.error().message();
      if (msg.starts_with("unknown flag '") && !words->empty()) {
        std::string flag = msg.substr(14, msg.size() - 15);
        std::string near = nearest_name(flag, split::known_split_flags());
        if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      }
      Errc code = r.error().code() == Errc::kUnsupported ? Errc::kUnsupported : Errc::kInvalidArgument;
      return fail(Error(code, ctx.file + ": " + where + ": field " + field + " \"" + *text + "\": " + msg));
    }
  }
  if (t.spec.time_ns == 0 && t.spec.bytes == 0 && t.spec.packets == 0) {
    return fail(ctx.error(where, "field Split \"" + t.split +
                                     "\" sets no split (use --split-time NS, --split-byte N or --split-packet N)"));
  }
  if (t.spec.output_prefix) {
    return fail(ctx.error(where, "field SplitCmd: -o is set by Path in a config, not by SplitCmd"));
  }
  if (auto r = resolve_output(ctx, where, mode, file_suffix, output_fields, t); !r) return fail(r.error());
  if (auto r = filter::validate_bpf(t.filter_bpf); !r) {
    return fail(ctx.error(where, "field FilterBPF \"" + t.filter_bpf + "\": libpcap: " + r.error().message()));
  }
  auto frame_filter = filter::FrameFilter::parse(t.filter_frame);
  if (!frame_filter) {
    return fail(ctx.error(where, "field FilterFrame \"" + t.filter_frame + "\": " + frame_filter.error().message()));
  }
  t.decap = decap_fields.over(global_decap).options();
  t.decap.decode_tags = frame_filter->needs_layers();
  t.prefix = split::prefix_from_path(t.path);
  return t;
}

Result<void> resolve_output(const Ctx& ctx, const std::string& where, const std::string& mode,
                            const std::string& file_suffix, const OutputFields& fields, TargetConfig& t) {
  auto field = [&](const std::string& key) -> std::optional<std::string> {
    auto it = fields.find(key);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
  auto bad = [&](const std::string& key, const std::string& what) {
    return fail(ctx.error(where, "field " + key + " " + what));
  };
  if (auto r = resolve_encoding(t, field("Compress").value_or(""), file_suffix); !r) {
    return fail(ctx.error(where, "field " + r.error().message()));
  }
  if (mode != "rclone") return {};
  t.mode = Mode::kRclone;
  if (!sink::is_remote_path(t.path)) {
    return bad("Path",
               "\"" + t.path + "\" must name an rclone remote for Mode = \"RCLONE\" (\"remote:bucket/prefix\")");
  }
  RcloneTarget& r = t.rclone;
  r.config = field("RcloneConfig").value_or(sink::default_rclone_config());
  if (auto flags = split::split_words(field("RcloneFlags").value_or("")); flags) {
    r.flags = *flags;
  } else {
    return bad("RcloneFlags", flags.error().message());
  }
  r.spool_dir = field("SpoolDir").value_or("/var/spool/pushcap");
  if (r.spool_dir.empty()) return bad("SpoolDir", "must name a folder");
  while (r.spool_dir.size() > 1 && r.spool_dir.back() == '/') r.spool_dir.pop_back();
  r.spool_dir += "/" + t.desc;
  auto limit = parse_size(field("SpoolLimit").value_or("10G"));
  if (!limit) return bad("SpoolLimit", limit.error().message() + " (a size such as 10e9 or \"20G\")");
  r.spool_limit = *limit;
  std::string upload = lower(field("Upload").value_or("spool"));
  if (upload != "spool" && upload != "stream")
    return bad("Upload", "must be \"spool\" or \"stream\", not \"" + upload + "\"");
  r.stream = upload == "stream";
  if (r.stream && !t.pipe_cmd.empty()) {
    return fail(ctx.error(where, "Upload = \"stream\" cannot run a PipeCmd (use Compress, or Upload = \"spool\")"));
  }
  if (r.stream && !t.post.empty()) {
    return fail(ctx.error(where, "Upload = \"stream\" keeps no local copy for a Post script (use Upload = \"spool\")"));
  }
  for (auto [key, out] :
       {std::pair<const char*, int*>{"RetryMaxDelay", &r.retry_max_delay}, {"RcloneTimeout", &r.timeout}}) {
    if (auto v = field(key)) {
      auto n = split::parse_count(*v);
      if (!n || *n > 86400) return bad(key, "must be a whole number of seconds from 1 to 86400");
      *out = static_cast<int>(*n);
    }
  }
  if (auto v = field("Transfers")) {
    auto n = split::parse_count(*v);
    if (!n || *n > 16) return bad("Transfers", "must be a whole number from 1 to 16");
    r.transfers = static_cast<int>(*n);
  }
  // The remote must be in the rclone config (or be given by environment or as a connection string).
  std::string remote = t.path.substr(0, t.path.find(':'));
  std::string env_name = "RCLONE_CONFIG_" + remote + "_TYPE";
  std::transform(env_name.begin(), env_name.end(), env_name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::isalnum(c) ? std::toupper(c) : '_'); });
  if (std::getenv(env_name.c_str()) == nullptr) {
    auto remotes = sink::rclone_config_remotes(r.config);
    if (!remotes) return bad("RcloneConfig", remotes.error().message());
    if (std::find(remotes->begin(), remotes->end(), remote) == remotes->end()) {
      std::string msg =
          "remote '" + remote + "' (from Path \"" + t.path + "\") is not in the rclone config " + r.config;
      std::string near = nearest_name(remote, *remotes);
      if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      return fail(ctx.error(where, msg));
    }
  }
  return {};
}

Result<PushConfig> convert(lua_State* L, const Ctx& ctx) {
  PushConfig cfg;
  cfg.file = ctx.file;
  if (!lua_istable(L, -1)) {
    return fail(ctx.error("result", std::string("the config must return a table (end it with 'return Config'), not ") +
                                        (lua_isnone(L, -1) ? "nothing" : lua_typename(L, lua_type(L, -1)))));
  }
  DecapFields decap;
  OutputFields output;
  bool has_targets = false;
  std::vector<std::string> schedule;
  bool schedule_utc = false;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fail(ctx.error("Config", "has a field whose name is not a string"));
    }
    std::string key = lua_tostring(L, -2);
    if (key == "FollowStart" || key == "ScheduleUTC") {
      auto b = as_bool(L, ctx, "Config", key);
      if (!b) {
        lua_pop(L, 2);
        return fail(b.error());
      }
      (key == "FollowStart" ? cfg.follow_start : schedule_utc) = *b;
    } else if (key == "Schedule") {
      // A string, or a list of strings.
      if (lua_type(L, -1) == LUA_TSTRING) {
        schedule.emplace_back(lua_tostring(L, -1));
      } else if (lua_istable(L, -1)) {
        const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, -1));
        for (lua_Integer i = 1; i <= n && i <= 1000; ++i) {
          lua_rawgeti(L, -1, i);
          if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 3);
            return fail(ctx.error(
                "Config", "Schedule entry " + std::to_string(i) + " must be a string like \"Mon-Fri 08:00-18:00\""));
          }
          schedule.emplace_back(lua_tostring(L, -1));
          lua_pop(L, 1);
        }
      } else {
        lua_pop(L, 2);
        return fail(
            ctx.error("Config", "field Schedule must be a string or a list of strings like \"Mon-Fri 08:00-18:00\""));
      }
    } else if (is_decap_field(key)) {
      if (auto r = read_decap_field(L, ctx, "Config", key, decap); !r) {
        lua_pop(L, 2);
        return fail(r.error());
      }
    } else if (is_output_field(key)) {
      auto v = as_text(L, ctx, "Config", key);
      if (!v) {
        lua_pop(L, 2);
        return fail(v.error());
      }
      output[key] = *v;
    } else if (key == "ScriptTimeout" || key == "ScriptWorkers") {
      auto v = as_text(L, ctx, "Config", key);
      auto n = v ? split::parse_count(*v) : Result<std::uint64_t>(fail(v.error()));
      const std::uint64_t max = key == "ScriptTimeout" ? 86400 : 64;
      if (!n || *n > max) {
        lua_pop(L, 2);
        return fail(ctx.error("Config", "field " + key + " must be a whole number from 1 to " + std::to_string(max) +
                                            (key == "ScriptTimeout" ? " (seconds)" : "")));
      }
      (key == "ScriptTimeout" ? cfg.script_timeout : cfg.script_workers) = static_cast<int>(*n);
    } else if (key == "LogDir") {
      auto s = as_string(L, ctx, "Config", key);
      if (!s) {
        lua_pop(L, 2);
        return fail(s.error());
      }
      cfg.log_dir = *s;
    } else if (key == "Target") {
      if (!lua_istable(L, -1)) {
        lua_pop(L, 2);
        return fail(ctx.error("Config", "field Target must be a list of target tables"));
      }
      has_targets = true;
    } else {
      lua_pop(L, 2);
      return fail(ctx.error("Config", unknown_field_message(key, kGlobalFields)));
    }
    lua_pop(L, 1);
  }
  if (!has_targets)
    return fail(ctx.error("Config", "field Target is missing (Config.Target = {} and table.insert(...))"));
  if (auto sched = Schedule::parse(schedule, schedule_utc); sched) {
    cfg.schedule = std::move(*sched);
  } else {
    return fail(ctx.error("Config", sched.error().message()));
  }
  lua_getfield(L, -1, "Target");
  lua_Unsigned n = lua_rawlen(L, -1);
  // Only list entries: a string key inside Target is a misplaced target field.
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
  std::set<std::string> descs;
  for (lua_Unsigned i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, static_cast<lua_Integer>(i));
    if (!lua_istable(L, -1)) {
      return fail(ctx.error("target #" + std::to_string(i),
                            std::string("must be a table, not a ") + lua_typename(L, lua_type(L, -1))));
    }
    auto t = read_target(L, ctx, static_cast<int>(i), decap, output);
    lua_pop(L, 1);
    if (!t) return fail(t.error());
    if (!descs.insert(t->desc).second) {
      return fail(ctx.error("target #" + std::to_string(i),
                            "duplicate Desc '" + t->desc + "' (each target needs its own; it names the log)"));
    }
    for (const auto& other : cfg.targets) {
      if (other.prefix == t->prefix && other.spec.suffix == t->spec.suffix) {
        cfg.warnings.push_back("targets '" + other.desc + "' and '" + t->desc + "' write to the same prefix \"" +
                               t->prefix + "\": their files never overwrite each other but take _1, _2... names");
      }
    }
    cfg.targets.push_back(std::move(*t));
  }
  lua_pop(L, 1);
  return cfg;
}

}  // namespace

Result<PushConfig> load_config(const std::string& path, const LuaLimits& limits) {
  Ctx ctx{path};
  LuaState state(limits);
  lua_State* L = state.get();
  int rc = luaL_loadfilex(L, path.c_str(), "t");
  if (rc == LUA_OK) rc = lua_pcall(L, 0, 1, 0);
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown Lua error";
    if (rc == LUA_ERRMEM || state.out_of_memory()) {
      msg = path + ": the config used more than " + std::to_string(state.memory_limit() >> 20) +
            " MiB of memory (a table that grows without end?)";
    } else if (rc == LUA_ERRFILE) {
      msg = "cannot read config: " + msg;
    } else if (rc == LUA_ERRSYNTAX) {
      msg = "syntax error: " + msg;
    }
    return fail(Errc::kInvalidArgument, msg);
  }
  lua_sethook(L, nullptr, 0, 0);
  return convert(L, ctx);
}

}  // namespace pushcap::config
