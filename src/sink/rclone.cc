#include "sink/rclone.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pushcap::sink {
namespace {

// rclone's exit status for "directory not found" and "file not found".
constexpr int kRcloneDirNotFound = 3;
constexpr int kRcloneFileNotFound = 4;

}  // namespace

SpawnOptions Rclone::command(std::vector<std::string> args) const {
  SpawnOptions o;
  o.argv = {options_.binary};
  if (!options_.config.empty()) {
    o.argv.push_back("--config");
    o.argv.push_back(options_.config);
  }
  for (const char* flag : {"--contimeout", "--timeout"}) {
    o.argv.push_back(flag);
    auto secs = flag[2] == 'c' ? options_.contimeout : options_.io_timeout;
    o.argv.push_back(std::to_string(secs.count()) + "s");
  }
  o.argv.insert(o.argv.end(), {"--low-level-retries", "3", "--retries", "1", "--stats", "0"});
  o.argv.insert(o.argv.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  o.argv.insert(o.argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  // rclone 1.60 fails every S3 call when AWS_CA_BUNDLE is set (ENDPOINTS.md).
  o.env_unset = {"AWS_CA_BUNDLE"};
  return o;
}

Result<RunResult> Rclone::run(const std::string& step, std::vector<std::string> args,
                              std::chrono::milliseconds limit) const {
  auto r = run_command(command(std::move(args)), limit);
  if (!r) return fail(r.error().context("rclone " + step));
  return r;
}

std::chrono::milliseconds Rclone::transfer_limit(std::uint64_t bytes) const {
  auto rate = std::max<std::uint64_t>(options_.min_rate, 1);
  return std::chrono::duration_cast<std::chrono::milliseconds>(options_.command_limit) +
         std::chrono::milliseconds(bytes * 1000 / rate);
}

static Error step_error(const std::string& step, const RunResult& r) {
  std::string line = last_line(r.output);
  return Error(Errc::kIo,
               fmt::format("rclone {} failed ({}){}", step, r.status.describe(), line.empty() ? "" : ": " + line));
}

Result<std::optional<RemoteObject>> Rclone::stat(const std::string& remote, bool hash) const {
  std::string step = "lsjson --stat " + remote;
  std::vector<std::string> args = {"lsjson", "--stat"};
  if (hash) args.insert(args.end(), {"--hash-type", "MD5"});
  args.push_back(remote);
  // Hashing a large object on the server takes time: allow a transfer's.
  auto r = run(step, std::move(args), hash ? transfer_limit(1u << 30) : options_.command_limit);
  if (!r) return fail(r.error());
  if (!r->status.timed_out && (r->status.code == kRcloneDirNotFound || r->status.code == kRcloneFileNotFound)) {
    return std::optional<RemoteObject>();
  }
  if (!r->status.ok()) return fail(step_error(step, *r));
  // stdout and stderr share one pipe: the JSON object is the part between the outer braces.
  auto open = r->output.find('{');
  auto close = r->output.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return fail(Errc::kIo, fmt::format("rclone {}: no JSON in its output: {}", step, last_line(r->output)));
  }
  auto j = nlohmann::json::parse(r->output.substr(open, close - open + 1), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Size")) {
    return fail(Errc::kIo, fmt::format("rclone {}: cannot read its JSON output", step));
  }
  // Bucket stores answer a stat of a missing key with a directory (a prefix): no object there.
  if (j.value("IsDir", false)) return std::optional<RemoteObject>();
  RemoteObject obj;
  obj.size = j["Size"].get<std::uint64_t>();
  if (j.contains("Hashes") && j["Hashes"].is_object() && j["Hashes"].contains("md5")) {
    obj.md5 = j["Hashes"]["md5"].get<std::string>();
  }
  return std::optional<RemoteObject>(obj);
}

Result<void> Rclone::copyto(const std::string& local, const std::string& remote, std::uint64_t bytes) const {
  std::string step = "copyto " + remote;
  auto r = run(step, {"copyto", local, remote}, transfer_limit(bytes));
  if (!r) return fail(r.error());
  if (!r->status.ok()) return fail(step_error(step, *r));
  return {};
}

Result<void> Rclone::moveto(const std::string& from, const std::string& to, std::uint64_t bytes) const {
  std::string step = "moveto " + to;
  // A backend without server-side move copies through pushcap's host: allow a transfer's time.
  auto r = run(step, {"moveto", "--ignore-checksum", from, to}, transfer_limit(bytes));
  if (!r) return fail(r.error());
  if (!r->status.ok()) return fail(step_error(step, *r));
  return {};
}

Result<void> Rclone::deletefile(const std::string& remote) const {
  std::string step = "deletefile " + remote;
  auto r = run(step, {"deletefile", remote}, options_.command_limit);
  if (!r) return fail(r.error());
  if (!r->status.ok()) return fail(step_error(step, *r));
  return {};
}

SpawnOptions Rclone::rcat(const std::string& remote) const {
  return command({"rcat", remote});
}

std::pair<std::string, std::string> split_remote(const std::string& remote) {
  auto cut = remote.find_last_of("/:");
  if (cut == std::string::npos) return {"", remote};
  return {remote.substr(0, cut + 1), remote.substr(cut + 1)};
}

bool is_remote_path(const std::string& path) {
  auto colon = path.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto slash = path.find('/');
  return slash == std::string::npos || slash > colon;
}

Result<std::vector<std::string>> rclone_config_remotes(const std::string& config_file) {
  std::ifstream in(config_file);
  if (!in) return fail(Errc::kIo, "cannot read the rclone config " + config_file + ": " + errno_text(errno));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] != '[') continue;
    auto e = line.find(']', b);
    if (e != std::string::npos) names.push_back(line.substr(b + 1, e - b - 1));
  }
  return names;
}

std::string default_rclone_config() {
  if (const char* env = std::getenv("RCLONE_CONFIG"); env != nullptr && *env != '\0') return env;
  if (::access("/etc/pushcap/rclone.conf", R_OK) == 0) return "/etc/pushcap/rclone.conf";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.config/rclone/rclone.conf";
}

}  // namespace pushcap::sink
