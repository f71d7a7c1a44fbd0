#include "sink/rclone.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pushcap::sink {
namespace {

// remote "sf:dir/sub/name" as rclone's remote control takes it: {"fs": "sf:dir/sub/", "remote": "name"}.
nlohmann::json fs_and_remote(const std::string& remote, const char* fs_key = "fs", const char* remote_key = "remote") {
  auto [dir, name] = split_remote(remote);
  return {{fs_key, dir}, {remote_key, name}};
}

// A local file as a source: rclone reads "/abs/dir/" as a local folder (a relative path with a
// colon in it would be taken for a remote, so it is made absolute).
nlohmann::json local_source(const std::string& path) {
  std::string abs = path;
  if (abs.empty() || abs[0] != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) != nullptr) abs = std::string(cwd) + "/" + abs;
  }
  auto cut = abs.rfind('/');
  return {{"srcFs", abs.substr(0, cut + 1)}, {"srcRemote", abs.substr(cut + 1)}};
}

}  // namespace

Rclone::Rclone(RcloneOptions options) : options_(std::move(options)) {
  RcloneDaemonOptions d;
  d.binary = options_.binary;
  d.flags = global_flags();
  d.log = options_.log;
  d.cannot_start = options_.cannot_start;
  daemon_ = std::make_unique<RcloneDaemon>(std::move(d));
}

Rclone::~Rclone() = default;

std::vector<std::string> Rclone::global_flags() const {
  std::vector<std::string> f;
  if (!options_.config.empty()) f.insert(f.end(), {"--config", options_.config});
  f.insert(f.end(), {"--contimeout", std::to_string(options_.contimeout.count()) + "s", "--timeout",
                     std::to_string(options_.io_timeout.count()) + "s", "--low-level-retries", "3", "--stats", "0"});
  f.insert(f.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  return f;
}

Result<void> Rclone::start() {
  return daemon_->start();
}

void Rclone::stop() {
  daemon_->stop();
}

std::chrono::milliseconds Rclone::transfer_limit(std::uint64_t bytes) const {
  auto rate = std::max<std::uint64_t>(options_.min_rate, 1);
  return std::chrono::duration_cast<std::chrono::milliseconds>(options_.command_limit) +
         std::chrono::milliseconds(bytes * 1000 / rate);
}

// A step that got an answer other than 200: its status and rclone's error text.
static Error step_failed(const std::string& step, const RcReply& r) {
  return Error(Errc::kIo, fmt::format("rclone {} failed (HTTP status {}): {}", step, r.status, r.error()));
}

Result<RcReply> Rclone::call(const std::string& step, const std::string& method, const nlohmann::json& input,
                             std::chrono::milliseconds limit) const {
  auto r = daemon_->call(method, input, limit);
  if (!r) return fail(r.error().context("rclone " + step));
  return r;
}

Result<void> Rclone::run(const std::string& step, const std::string& method, const nlohmann::json& input,
                         std::chrono::milliseconds limit) const {
  auto r = call(step, method, input, limit);
  if (!r) return fail(r.error());
  if (r->status != 200) return fail(step_failed(step, *r));
  return {};
}

Result<std::optional<RemoteObject>> Rclone::stat(const std::string& remote, bool hash) const {
  std::string step = "stat " + remote;
  nlohmann::json in = fs_and_remote(remote);
  if (hash) in["opt"] = {{"hashTypes", {"MD5"}}};
  // Hashing a large object on the server takes time: allow a transfer's.
  auto r = call(step, "operations/stat", in, hash ? transfer_limit(1u << 30) : options_.command_limit);
  if (!r) return fail(r.error());
  if (r->status == 404) return std::optional<RemoteObject>();  // no such object or folder
  if (r->status != 200) return fail(step_failed(step, *r));
  const nlohmann::json& item = r->body.is_object() && r->body.contains("item") ? r->body["item"] : nlohmann::json();
  if (item.is_null()) return std::optional<RemoteObject>();
  if (!item.is_object() || !item.contains("Size") || !item["Size"].is_number()) {
    return fail(Errc::kIo, fmt::format("rclone {}: cannot read its answer: {}", step, r->body.dump()));
  }
  // Bucket stores answer a stat of a missing key with a directory (a prefix): no object there.
  if (item.value("IsDir", false)) return std::optional<RemoteObject>();
  RemoteObject obj;
  obj.size = item["Size"].get<std::uint64_t>();
  if (item.contains("Hashes") && item["Hashes"].is_object() && item["Hashes"].contains("md5") &&
      item["Hashes"]["md5"].is_string()) {
    obj.md5 = item["Hashes"]["md5"].get<std::string>();
  }
  return std::optional<RemoteObject>(obj);
}

Result<void> Rclone::copyto(const std::string& local, const std::string& remote, std::uint64_t bytes) const {
  std::string step = "copyfile " + local + " to " + remote;
  nlohmann::json in = local_source(local);
  in.update(fs_and_remote(remote, "dstFs", "dstRemote"));
  return run(step, "operations/copyfile", in, transfer_limit(bytes));
}

Result<void> Rclone::moveto(const std::string& from, const std::string& to, std::uint64_t bytes) const {
  std::string step = "movefile " + from + " to " + to;
  nlohmann::json in = fs_and_remote(from, "srcFs", "srcRemote");
  in.update(fs_and_remote(to, "dstFs", "dstRemote"));
  // A backend without server-side move copies through pushcap's host: allow a transfer's time.
  return run(step, "operations/movefile", in, transfer_limit(bytes));
}

Result<void> Rclone::deletefile(const std::string& remote) const {
  std::string step = "deletefile " + remote;
  return run(step, "operations/deletefile", fs_and_remote(remote), options_.command_limit);
}

SpawnOptions Rclone::rcat(const std::string& remote) const {
  SpawnOptions o;
  o.argv = {options_.binary};
  std::vector<std::string> flags = global_flags();
  o.argv.insert(o.argv.end(), flags.begin(), flags.end());
  o.argv.insert(o.argv.end(), {"--retries", "1", "rcat", remote});
  // rclone 1.60 fails every S3 call when AWS_CA_BUNDLE is set (docs/DESIGN.md, rclone's faults).
  o.env_unset = {"AWS_CA_BUNDLE"};
  return o;
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
