#include "push/checkpoint.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/json_file.h"

namespace pushcap::push {

Result<CheckpointFile> CheckpointFile::open(const std::string& dir, const std::string& desc) {
  if (auto r = make_dirs(dir); !r) return fail(r.error().context("state directory"));
  CheckpointFile f;
  f.path_ = dir + "/" + desc + ".checkpoint.json";
  const std::string lock_path = dir + "/" + desc + ".lock";
  auto lock = open_file(lock_path, O_RDWR | O_CREAT);
  if (!lock) return fail(lock.error());
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0) {
    return fail(Errc::kExists, fmt::format("target '{}' is run by another pushcap (it holds {})", desc, lock_path));
  }
  f.lock_ = std::move(*lock);
  return f;
}

Result<std::optional<Checkpoint>> CheckpointFile::load() const {
  auto damaged = [&](const Error& e) {
    return fail(
        Errc::kInvalidArgument,
        fmt::format("checkpoint {} is damaged ({}); move it away to start this target afresh", path_, e.message()));
  };
  auto j = read_json_file_if_present(path_, "checkpoint", 64 * 1024);
  if (!j) return j.error().code() == Errc::kDamagedCapture ? damaged(j.error()) : fail(j.error());
  if (!*j) return std::optional<Checkpoint>{};
  auto cp = decode_json<Checkpoint>(**j, path_, "checkpoint", [](const nlohmann::ordered_json& o) {
    Checkpoint c;
    c.target = o.at("target").get<std::string>();
    c.resume.input = o.at("input").get<std::string>();
    c.resume.seek = o.at("seek").get<std::uint64_t>();
    c.resume.skip_below = o.at("skip_below").get<std::uint64_t>();
    c.publishing = o.value("publishing", "");
    c.final_path = o.value("final", "");
    c.splits = o.value("splits", std::uint64_t{0});
    c.saved_ns = o.value("saved_ns", std::int64_t{0});
    return c;
  });
  if (!cp) return damaged(cp.error());
  return std::optional<Checkpoint>(std::move(*cp));
}

Result<void> CheckpointFile::save(const Checkpoint& cp) const {
  nlohmann::ordered_json j = {{"target", cp.target},         {"input", cp.resume.input},
                              {"seek", cp.resume.seek},      {"skip_below", cp.resume.skip_below},
                              {"publishing", cp.publishing}, {"final", cp.final_path},
                              {"splits", cp.splits},         {"saved_ns", wall_ns()}};
  return write_file_durable(path_, j.dump(1) + "\n");
}

Result<std::string> complete_publication(const Checkpoint& cp) {
  if (cp.publishing.empty() || ::access(cp.publishing.c_str(), F_OK) != 0) return std::string();
  if (auto r = rename_no_replace(cp.publishing, cp.final_path); !r) {
    return fail(r.error().context("completing the publication of " + cp.final_path + " after a restart"));
  }
  if (auto r = fsync_dir(dir_name(cp.final_path)); !r) return fail(r.error());
  return fmt::format("completed the publication interrupted by the previous run: {}", cp.final_path);
}

}  // namespace pushcap::push
