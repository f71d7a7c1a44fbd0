#include "config/target_fields.h"

#include "config/nearest_name.h"
#include "filter/bpf_program.h"
#include "filter/frame_filter.h"
#include "split/file_namer.h"
#include "split/split_flags.h"

namespace pushcap::config {

const std::vector<std::string> kTargetFields = {
    "Desc",          "Mode",          "Path",        "Split",           "FileName",   "FilterBPF",
    "FilterFrame",   "Decap",         "PipeCmd",     "FileSuffix",      "Post",       "SplitCmd",
    "Trailer",       "TrailerFCS",    "HWTimestamp", "SrcMacTimestamp", "VXLANPorts", "Compress",
    "ScriptClose",   "RcloneConfig",  "RcloneFlags", "SpoolDir",        "SpoolLimit", "Upload",
    "RetryMaxDelay", "RcloneTimeout", "Transfers"};

namespace {

/// A target's fields as written, before they are checked together.
struct RawTarget {
  TargetConfig t;
  std::string mode = "file";
  std::string file_suffix;
  DecapFields decap;
  OutputFields output;
};

// Desc first, so every later message can name the target.
Result<std::string> read_desc(lua_State* L, const ConfigContext& ctx, const std::string& where) {
  lua_getfield(L, -1, "Desc");
  auto desc = as_string(L, ctx, where, "Desc");
  lua_pop(L, 1);
  if (!desc) return fail(desc.error());
  if (desc->empty())
    return fail(ctx.error(where, "field Desc is missing (every target needs a Desc; it names its log)"));
  if (desc->find('/') != std::string::npos) {
    return fail(ctx.error(where, "field Desc '" + *desc + "' must not contain '/' (it names a log file)"));
  }
  return desc;
}

// One of the target's own string fields, the value on top of the stack.
Result<void> read_own_field(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& key,
                            RawTarget& raw) {
  auto s = as_string(L, ctx, where, key);
  if (!s) return fail(s.error());
  TargetConfig& t = raw.t;
  if (key == "Mode") raw.mode = lower(*s);
  if (key == "Path") t.path = *s;
  if (key == "Split") t.split = *s;
  if (key == "FileName") t.file_name = *s;
  if (key == "FilterBPF") t.filter_bpf = *s;
  if (key == "FilterFrame") t.filter_frame = *s;
  if (key == "PipeCmd") t.pipe_cmd = *s;
  if (key == "FileSuffix") raw.file_suffix = *s;
  if (key == "Post") t.post = *s;
  if (key == "ScriptClose") t.script_close = *s;
  if (key == "SplitCmd") t.split_cmd = *s;
  return {};
}

// Every field of the table on top of the stack.
Result<void> read_fields(lua_State* L, const ConfigContext& ctx, const std::string& where, RawTarget& raw) {
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    Result<void> r;
    if (lua_type(L, -2) != LUA_TSTRING) {
      r = fail(ctx.error(where, "has a field whose name is not a string (a list entry inside a target?)"));
    } else {
      const std::string key = lua_tostring(L, -2);
      if (contains(kDecapFields, key)) {
        r = read_decap_field(L, ctx, where, key, raw.decap);
      } else if (contains(kOutputFields, key)) {
        auto v = as_text(L, ctx, where, key);
        if (v) raw.output[key] = *v;
        r = v ? Result<void>() : fail(v.error());
      } else if (contains(kTargetFields, key)) {
        r = read_own_field(L, ctx, where, key, raw);
      } else {
        r = fail(ctx.error(where, unknown_field_message(key, kTargetFields)));
      }
    }
    if (!r) {
      lua_pop(L, 2);
      return r;
    }
    lua_pop(L, 1);
  }
  return {};
}

// Split, FileName and SplitCmd are pcap_split flags; each is parsed on its own so a message can
// say which field held the bad flag.
Result<void> apply_flag_fields(const ConfigContext& ctx, const std::string& where, TargetConfig& t) {
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
  return {};
}

}  // namespace

Result<TargetConfig> read_target(lua_State* L, const ConfigContext& ctx, int index, const DecapFields& global_decap,
                                 const OutputFields& global_output) {
  std::string where = "target #" + std::to_string(index);
  auto desc = read_desc(L, ctx, where);
  if (!desc) return fail(desc.error());
  where = "target '" + *desc + "'";
  RawTarget raw;
  raw.t.desc = *desc;
  raw.output = global_output;
  if (auto r = read_fields(L, ctx, where, raw); !r) return fail(r.error());

  TargetConfig& t = raw.t;
  if (raw.mode != "file" && raw.mode != "rclone") {
    return fail(ctx.error(where, "field Mode must be \"File\" or \"RCLONE\", not \"" + raw.mode + "\""));
  }
  if (t.path.empty()) return fail(ctx.error(where, "field Path is missing (where the split files go)"));
  if (t.split.empty()) return fail(ctx.error(where, "field Split is missing (e.g. \"--split-time 60e9\")"));
  if (auto r = apply_flag_fields(ctx, where, t); !r) return fail(r.error());
  if (auto r = resolve_output(ctx, where, raw.mode, raw.file_suffix, raw.output, t); !r) return fail(r.error());
  if (auto r = filter::validate_bpf(t.filter_bpf); !r) {
    return fail(ctx.error(where, "field FilterBPF \"" + t.filter_bpf + "\": libpcap: " + r.error().message()));
  }
  auto frame_filter = filter::FrameFilter::parse(t.filter_frame);
  if (!frame_filter) {
    return fail(ctx.error(where, "field FilterFrame \"" + t.filter_frame + "\": " + frame_filter.error().message()));
  }
  t.decap = raw.decap.over(global_decap).options();
  t.decap.decode_tags = frame_filter->needs_layers();
  t.prefix = split::prefix_from_path(t.path);
  return std::move(t);
}

}  // namespace pushcap::config
