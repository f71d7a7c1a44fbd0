#include "config/output_fields.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include "config/nearest_name.h"
#include "config/target_output.h"
#include "sink/rclone.h"
#include "split/split_flags.h"

namespace pushcap::config {

const std::vector<std::string> kOutputFields = {"Compress", "RcloneConfig",  "RcloneFlags",   "SpoolDir", "SpoolLimit",
                                                "Upload",   "RetryMaxDelay", "RcloneTimeout", "Transfers"};

Result<void> resolve_output(const ConfigContext& ctx, const std::string& where, const std::string& mode,
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

}  // namespace pushcap::config
