#include "sink/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_file.h"

namespace pushcap::sink {
namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "00000012" -> 12; anything else -> 0.
std::uint64_t seq_of(const std::string& name) {
  if (name.size() < 8) return 0;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  return (name.size() == 8 || name[8] == '.') ? v : 0;
}

nlohmann::ordered_json to_json(const SpoolEntry& e) {
  const auto& s = e.split;
  return {{"seq", e.seq},
          {"remote_base", e.remote_base},
          {"suffix", e.suffix},
          {"path", s.path},
          {"bytes", s.bytes},
          {"file_bytes", s.file_bytes},
          {"packets", s.packets},
          {"wall_ns", s.wall_ns},
          {"start_ts", s.start_ts},
          {"end_ts", s.end_ts},
          {"first_ts", s.first_ts},
          {"last_ts", s.last_ts},
          {"closing_ts", s.closing_ts}};
}

Result<SpoolEntry> read_record(const std::string& path) {
  auto j = read_json_file(path, "spool record", 64 * 1024);
  if (!j) return fail(j.error());
  return decode_json<SpoolEntry>(*j, path, "spool record", [](const nlohmann::ordered_json& o) {
    SpoolEntry e;
    e.seq = o.at("seq").get<std::uint64_t>();
    e.remote_base = o.at("remote_base").get<std::string>();
    e.suffix = o.at("suffix").get<std::string>();
    auto& s = e.split;
    s.path = o.at("path").get<std::string>();
    s.bytes = o.at("bytes").get<std::uint64_t>();
    s.file_bytes = o.at("file_bytes").get<std::uint64_t>();
    s.packets = o.at("packets").get<std::uint64_t>();
    s.wall_ns = o.at("wall_ns").get<std::int64_t>();
    s.start_ts = o.at("start_ts").get<std::uint64_t>();
    s.end_ts = o.at("end_ts").get<std::uint64_t>();
    s.first_ts = o.at("first_ts").get<std::uint64_t>();
    s.last_ts = o.at("last_ts").get<std::uint64_t>();
    s.closing_ts = o.at("closing_ts").get<std::uint64_t>();
    return e;
  });
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    for (const auto& n : list_dir(path)) remove_tree(path + "/" + n);
    ::rmdir(path.c_str());
  } else {
    ::unlink(path.c_str());
  }
}

}  // namespace

std::string SpoolEntry::remote_name(unsigned serial) const {
  return remote_base + (serial == 0 ? "" : "_" + std::to_string(serial)) + suffix;
}

Result<std::unique_ptr<Spool>> Spool::open(const std::string& dir, std::uint64_t limit) {
  if (auto r = make_dirs(dir); !r) return fail(r.error().context("spool folder"));
  std::unique_ptr<Spool> spool(new Spool(dir, limit));
  auto lock = open_file(dir + "/.lock", O_RDWR | O_CREAT, 0644);
  if (!lock) return fail(lock.error());
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0) {
    return fail(Errc::kExists, "the spool " + dir + " is in use by another pushcap (it holds " + dir + "/.lock)");
  }
  spool->lock_ = std::move(*lock);
  if (auto r = spool->scan(); !r) return fail(r.error());
  return spool;
}

std::string Spool::entry_dir(std::uint64_t seq) const {
  return fmt::format("{}/{:08d}", dir_, seq);
}
std::string Spool::record_path(std::uint64_t seq) const {
  return entry_dir(seq) + ".json";
}
std::string Spool::marker_path(std::uint64_t seq) const {
  return entry_dir(seq) + ".uploaded";
}

Result<void> Spool::scan() {
  std::vector<std::string> names = list_dir(dir_);
  std::vector<std::uint64_t> seqs;
  for (const auto& n : names) {
    std::uint64_t seq = seq_of(n);
    if (seq == 0) continue;
    next_seq_ = std::max(next_seq_, seq + 1);
    if (n.size() == 8 + 5 && n.ends_with(".json")) seqs.push_back(seq);
  }
  for (std::uint64_t seq : seqs) {
    auto entry = read_record(record_path(seq));
    if (!entry && entry.error().code() != Errc::kNotFound) {
      // A record is made durable before its split is published: a damaged one is not a split
      // that never completed. Nothing of it is removed or uploaded; the target says so.
      set_aside_.push_back(entry_dir(seq) + ": " + entry.error().message());
      continue;
    }
    // A record whose file never got its final local name is a split that did not complete.
    if (!entry || !path_exists(entry->split.path)) {
      discard(seq);
      continue;
    }
    if (path_exists(marker_path(seq))) {
      entry->uploaded = true;
      entry->split.remote = read_text(marker_path(seq));
    }
    bytes_ += entry->split.file_bytes;
    resumed_.push_back(std::move(*entry));
  }
  // Folders with no record: splits that were still being written.
  for (const auto& n : names) {
    std::uint64_t seq = seq_of(n);
    if (seq != 0 && n.size() == 8 && !path_exists(record_path(seq))) discard(seq);
  }
  return {};
}

Result<std::uint64_t> Spool::new_entry() {
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    seq = next_seq_++;
  }
  if (auto r = make_dirs(entry_dir(seq)); !r) return fail(r.error());
  return seq;
}

Result<void> Spool::write_record(const SpoolEntry& entry) {
  return write_file_durable(record_path(entry.seq), to_json(entry).dump(1));
}

Result<void> Spool::mark_uploaded(const SpoolEntry& entry) {
  return write_file_durable(marker_path(entry.seq), entry.split.remote);
}

void Spool::remove(const SpoolEntry& entry) {
  ::unlink(entry.split.path.c_str());
  ::unlink(marker_path(entry.seq).c_str());
  ::unlink(record_path(entry.seq).c_str());
  ::rmdir(entry_dir(entry.seq).c_str());  // only if nothing else is in it
  {
    std::lock_guard lock(mutex_);
    bytes_ -= std::min(bytes_, entry.split.file_bytes);
  }
  room_.notify_all();
}

void Spool::discard(std::uint64_t seq, std::uint64_t counted) {
  remove_tree(entry_dir(seq));
  ::unlink(marker_path(seq).c_str());
  ::unlink(record_path(seq).c_str());
  if (counted != 0) {
    {
      std::lock_guard lock(mutex_);
      bytes_ -= std::min(bytes_, counted);
    }
    room_.notify_all();
  }
}

void Spool::add_bytes(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  bytes_ += n;
}

std::uint64_t Spool::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

bool Spool::wait_for_room(const std::function<bool()>& stop) {
  std::unique_lock lock(mutex_);
  while (bytes_ >= limit_) {
    if (stop()) return false;
    room_.wait_for(lock, std::chrono::milliseconds(200));
  }
  return true;
}

}  // namespace pushcap::sink
