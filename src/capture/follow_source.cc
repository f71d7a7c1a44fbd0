#include "capture/follow_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "capture/incremental_reader.h"
#include "capture/natural_order.h"
#include "core/clock.h"
#include "core/fd.h"
#include "core/interrupt.h"

namespace pushcap::capture {
namespace {

// Names a writer uses before a file is complete, or that are not ours to read.
bool temporary_name(const std::string& n) {
  if (n.empty() || n[0] == '.') return true;
  for (const char* s : {".tmp", ".part", ".pending", ".filepart", ".temp"}) {
    if (n.ends_with(s)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> FollowSource::list() const {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(options_.dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (temporary_name(n)) continue;
      struct stat st {};
      if (::stat((options_.dir + "/" + n).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      names.push_back(std::move(n));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end(), natural_less);
  return names;
}

std::string FollowSource::input_name(std::uint32_t index) const {
  std::lock_guard lock(mutex_);
  return index < names_.size() ? names_[index] : std::string();
}

bool FollowSource::input_before(const std::string& a, const std::string& b) const {
  return natural_less(a, b);
}

bool FollowSource::resume_at(const std::string& input, std::uint64_t seek) {
  resume_ = true;
  resume_file_ = input;
  resume_seek_ = seek;
  return true;
}

double FollowSource::lag_seconds() const {
  const std::uint64_t ts = last_ts_.load(std::memory_order_relaxed);
  const auto now = static_cast<std::uint64_t>(wall_ns());
  return ts != 0 && ts < now ? static_cast<double>(now - ts) / 1e9 : 0;
}

bool FollowSource::wait(int inotify_fd) {
  if (interrupt_count().load() > 0) return false;
  if (inotify_fd >= 0) {
    pollfd p{inotify_fd, POLLIN, 0};
    ::poll(&p, 1, options_.poll_ms);
    char buf[4096];
    while (::read(inotify_fd, buf, sizeof buf) > 0) {
    }
  } else {
    ::usleep(static_cast<useconds_t>(options_.poll_ms) * 1000);
  }
  return interrupt_count().load() == 0;
}

SourceOutcome FollowSource::run(const SourceEvents& ev) {
  SourceOutcome outcome;
  auto notice = [&](const std::string& text) {
    if (ev.notice) ev.notice(text);
  };
  Fd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify.valid() ||
      ::inotify_add_watch(inotify.get(), options_.dir.c_str(),
                          IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM) < 0) {
    notice(fmt::format("warning: cannot watch {} with inotify ({}); it is rescanned every {} ms instead", options_.dir,
                       errno_text(errno), options_.poll_ms));
    inotify = Fd();
  }
  std::string cur;        // the file being read
  std::string last_done;  // files up to this one (natural order) are done
  std::uint64_t seek = 0;
  std::uint64_t skip_below = 0;  // "from now": records of the first file already there are not pushed
  std::vector<std::string> files = list();
  if (resume_) {
    auto it =
        std::find_if(files.begin(), files.end(), [&](const std::string& f) { return !natural_less(f, resume_file_); });
    if (it != files.end() && *it == resume_file_) {
      cur = *it;
      seek = resume_seek_;
    } else {
      notice(
          fmt::format("warning: {} (where the checkpoint says to read again) is gone from {}; following from the "
                      "next file",
                      resume_file_, options_.dir));
      last_done = resume_file_;
    }
  } else if (!files.empty()) {
    if (options_.from_start) {
      cur = files.front();
    } else {
      cur = files.back();
      struct stat st {};
      if (::stat((options_.dir + "/" + cur).c_str(), &st) == 0) skip_below = static_cast<std::uint64_t>(st.st_size);
    }
  }
  Fd fd;
  std::unique_ptr<IncrementalReader> reader;
  std::uint64_t last_size = 0;
  std::int64_t last_growth = mono_ns();
  std::int64_t last_scan = mono_ns();
  std::uint64_t posted = 0;
  auto post = [&](std::uint64_t ts) {
    if (ts > posted && ev.watermark) {
      posted = ts;
      ev.watermark(ts);
    }
  };
  auto emit = [&](std::shared_ptr<Batch> batch) {
    bytes_read_.fetch_add(batch->size, std::memory_order_relaxed);
    if (skip_below != 0) {
      auto& recs = batch->records;
      const std::uint64_t base = batch->file_offset;
      recs.erase(
          std::remove_if(recs.begin(), recs.end(), [&](const Record& r) { return base + r.offset < skip_below; }),
          recs.end());
      if (recs.empty()) return;
    }
    outcome.packets += batch->records.size();
    last_ts_.store(std::max(last_ts_.load(std::memory_order_relaxed), batch->records.back().ts_ns),
                   std::memory_order_relaxed);
    ev.batch(std::move(batch));
  };
  auto done_with_current = [&] {
    if (reader && reader->leftover() != 0) {
      notice(fmt::format("warning: {} ends with {} bytes of an incomplete record (not pushed)", reader->path(),
                         reader->leftover()));
    }
    last_done = cur;
    cur.clear();
    reader.reset();
    fd = Fd();
    seek = 0;
    skip_below = 0;
  };
  while (interrupt_count().load() == 0) {
    const std::int64_t now = mono_ns();
    if (now - last_scan >= 1'000'000'000 || cur.empty()) {
      files = list();
      last_scan = now;
    }
    if (cur.empty()) {
      for (const auto& f : files) {
        if (last_done.empty() || natural_less(last_done, f)) {
          cur = f;
          break;
        }
      }
    }
    const bool quiet = now - last_growth >= static_cast<std::int64_t>(options_.quiet_ns);
    if (cur.empty()) {
      if (quiet) post(static_cast<std::uint64_t>(wall_ns()) - options_.quiet_ns);
      if (!wait(inotify.get())) break;
      continue;
    }
    const std::string path = options_.dir + "/" + cur;
    if (!reader) {
      auto opened = open_file(path, O_RDONLY);
      if (!opened) {
        notice(
            fmt::format("warning: {} is gone before it was read whole (deleted by its writer's ring?): skipped", path));
        done_with_current();
        continue;
      }
      fd = std::move(*opened);
      std::uint32_t index = 0;
      {
        std::lock_guard lock(mutex_);
        names_.push_back(cur);
        index = static_cast<std::uint32_t>(names_.size() - 1);
      }
      reader = std::make_unique<IncrementalReader>(fd.get(), path, index, registry_);
      if (seek != 0) (void)reader->seek(seek);  // a pcapng file is read again from its start
      last_size = 0;
      last_growth = now;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
      done_with_current();
      continue;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size != last_size) {
      last_growth = now;
      last_size = size;
    }
    if (size > reader->read_position() && !reader->read_to(size, pool_, emit)) {
      if (reader->not_a_capture()) {
        outcome.skipped.push_back(path);
        notice(fmt::format("skipped {}: not a pcap or pcapng file", path));
      } else if (reader->error()) {
        outcome.errors.push_back(*reader->error());
        if (ev.error) ev.error(*reader->error());
      }
      done_with_current();
      continue;
    }
    const bool file_quiet = mono_ns() - last_growth >= static_cast<std::int64_t>(options_.quiet_ns);
    // A quiet file either is done (a later one exists) or lets the clock move the watermark:
    // both need the folder as it is now, not as the last rescan saw it.
    if (file_quiet) {
      files = list();
      last_scan = mono_ns();
    }
    const bool newer =
        std::any_of(files.begin(), files.end(), [&](const std::string& f) { return natural_less(cur, f); });
    if (newer && file_quiet) {
      done_with_current();
      continue;
    }
    // The writer's progress: the newest packet read, or the clock minus the quiet period once
    // nothing has grown for that long.
    std::uint64_t w = last_ts_.load(std::memory_order_relaxed);
    if (file_quiet) w = std::max(w, static_cast<std::uint64_t>(wall_ns()) - options_.quiet_ns);
    post(w);
    if (!wait(inotify.get())) break;
  }
  outcome.interrupted = interrupt_count().load() > 0;
  return outcome;
}

}  // namespace pushcap::capture
