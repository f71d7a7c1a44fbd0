#include "push/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace pushcap::push {

std::string local_time_string() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Result<std::unique_ptr<LogFile>> LogFile::open(const std::string& dir, const std::string& base) {
  if (auto r = make_dirs(dir); !r) return fail(r.error().context("log directory"));
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M", &tm);
  std::string name = base + "_" + stamp;
  auto log = std::make_unique<LogFile>();
  log->path_ = dir + "/" + name;
  auto fd = open_file(log->path_, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
  if (!fd) return fail(fd.error().context("log"));
  log->fd_ = std::move(*fd);
  // Point <base>.cur at the new log: make the link under a temporary name, then rename over.
  std::string cur = dir + "/" + base + ".cur";
  std::string tmp = cur + ".tmp" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (::symlink(name.c_str(), tmp.c_str()) == 0 && ::rename(tmp.c_str(), cur.c_str()) != 0) ::unlink(tmp.c_str());
  return log;
}

void LogFile::raw(std::string_view text) {
  std::string s(text);
  s += '\n';
  std::lock_guard lock(mutex_);
  if (!fd_.valid()) return;  // closed at the end of the run
  auto w = write_all(fd_.get(), s.data(), s.size(), path_);
  if (!w) {
    if (lost_ == 0) {
      first_error_ = w.error().message();
      std::fprintf(stderr, "pushcap: warning: log lines are lost until the log can be written again: %s\n",
                   first_error_.c_str());
    }
    ++lost_;
    ++lost_now_;
    return;
  }
  if (lost_now_ != 0) {
    const std::string note =
        fmt::format("[{}] {} log lines before this one were lost: {}\n", local_time_string(), lost_now_, first_error_);
    if (write_all(fd_.get(), note.data(), note.size(), path_)) {
      std::fprintf(stderr, "pushcap: %s: written again after %llu lines were lost\n", path_.c_str(),
                   static_cast<unsigned long long>(lost_now_));
      lost_now_ = 0;
    }
  }
}

void LogFile::close() {
  std::lock_guard lock(mutex_);
  if (auto r = fd_.close(path_); !r) {
    if (first_error_.empty()) first_error_ = r.error().message();
    ++lost_;
    std::fprintf(stderr, "pushcap: warning: %s\n", r.error().message().c_str());
  }
}

std::string LogFile::failure() const {
  std::lock_guard lock(mutex_);
  if (lost_ == 0) return "";
  return fmt::format("{} ({} log writes failed)", first_error_, lost_);
}

void LogFile::line(std::string_view text) {
  raw(fmt::format("[{}] {}", local_time_string(), text));
}

void LogFile::json(std::string_view json_text) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm);
  raw(fmt::format("{}|{}", buf, json_text));
}

}  // namespace pushcap::push
