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

/// The state of one run().
struct FollowSource::Follow {
  explicit Follow(const SourceEvents& events) : ev(events) {}
  const SourceEvents& ev;
  SourceOutcome outcome;
  Fd inotify;
  std::vector<std::string> files;  ///< the folder at the last scan
  std::string cur;                 ///< the file being read
  std::string last_done;           ///< files up to this one (natural order) are done
  std::uint64_t seek = 0;          ///< where to start in `cur` (a checkpoint)
  std::uint64_t skip_below = 0;    ///< "from now": records of the first file already there are not pushed
  Fd fd;
  std::unique_ptr<IncrementalReader> reader;
  std::uint64_t last_size = 0;
  std::int64_t last_growth = mono_ns();
  std::int64_t last_scan = mono_ns();
  std::uint64_t posted = 0;

  void notice(const std::string& text) const {
    if (ev.notice) ev.notice(text);
  }
  void post(std::uint64_t ts) {
    if (ts > posted && ev.watermark) {
      posted = ts;
      ev.watermark(ts);
    }
  }
};

SourceOutcome FollowSource::run(const SourceEvents& ev) {
  Follow f(ev);
  watch(f);
  f.files = list();
  choose_start(f);
  while (interrupt_count().load() == 0) {
    const std::int64_t now = mono_ns();
    if (now - f.last_scan >= 1'000'000'000 || f.cur.empty()) {
      f.files = list();
      f.last_scan = now;
    }
    if (f.cur.empty()) {
      auto next = std::find_if(f.files.begin(), f.files.end(), [&](const std::string& name) {
        return f.last_done.empty() || natural_less(f.last_done, name);
      });
      if (next != f.files.end()) f.cur = *next;
    }
    if (f.cur.empty()) {
      if (now - f.last_growth >= static_cast<std::int64_t>(options_.quiet_ns))
        f.post(static_cast<std::uint64_t>(wall_ns()) - options_.quiet_ns);
      if (!wait(f.inotify.get())) break;
      continue;
    }
    if (!f.reader && !open_current(f, now)) continue;
    if (!read_current(f, now)) continue;
    if (!wait(f.inotify.get())) break;
  }
  f.outcome.interrupted = interrupt_count().load() > 0;
  return f.outcome;
}

void FollowSource::watch(Follow& f) const {
  f.inotify = Fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!f.inotify.valid() ||
      ::inotify_add_watch(f.inotify.get(), options_.dir.c_str(),
                          IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM) < 0) {
    f.notice(fmt::format("warning: cannot watch {} with inotify ({}); it is rescanned every {} ms instead",
                         options_.dir, errno_text(errno), options_.poll_ms));
    f.inotify = Fd();
  }
}

void FollowSource::choose_start(Follow& f) const {
  if (resume_) {
    auto it = std::find_if(f.files.begin(), f.files.end(),
                           [&](const std::string& name) { return !natural_less(name, resume_file_); });
    if (it != f.files.end() && *it == resume_file_) {
      f.cur = *it;
      f.seek = resume_seek_;
    } else {
      f.notice(
          fmt::format("warning: {} (where the checkpoint says to read again) is gone from {}; following from the "
                      "next file",
                      resume_file_, options_.dir));
      f.last_done = resume_file_;
    }
  } else if (!f.files.empty()) {
    if (options_.from_start) {
      f.cur = f.files.front();
    } else {
      f.cur = f.files.back();
      struct stat st {};
      if (::stat((options_.dir + "/" + f.cur).c_str(), &st) == 0) f.skip_below = static_cast<std::uint64_t>(st.st_size);
    }
  }
}

bool FollowSource::open_current(Follow& f, std::int64_t now) {
  const std::string path = options_.dir + "/" + f.cur;
  auto opened = open_file(path, O_RDONLY);
  if (!opened) {
    f.notice(
        fmt::format("warning: {} is gone before it was read whole (deleted by its writer's ring?): skipped", path));
    done_with_current(f);
    return false;
  }
  f.fd = std::move(*opened);
  std::uint32_t index = 0;
  {
    std::lock_guard lock(mutex_);
    names_.push_back(f.cur);
    index = static_cast<std::uint32_t>(names_.size() - 1);
  }
  f.reader = std::make_unique<IncrementalReader>(f.fd.get(), path, index, registry_);
  if (f.seek != 0) (void)f.reader->seek(f.seek);  // a pcapng file is read again from its start
  f.last_size = 0;
  f.last_growth = now;
  return true;
}

bool FollowSource::read_current(Follow& f, std::int64_t now) {
  struct stat st {};
  if (::fstat(f.fd.get(), &st) != 0) {
    done_with_current(f);
    return false;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size != f.last_size) {
    f.last_growth = now;
    f.last_size = size;
  }
  auto emit = [&](std::shared_ptr<Batch> batch) { deliver(f, std::move(batch)); };
  if (size > f.reader->read_position() && !f.reader->read_to(size, pool_, emit)) {
    const std::string& path = f.reader->path();
    if (f.reader->not_a_capture()) {
      f.outcome.skipped.push_back(path);
      f.notice(fmt::format("skipped {}: not a pcap or pcapng file", path));
    } else if (f.reader->error()) {
      f.outcome.errors.push_back(*f.reader->error());
      if (f.ev.error) f.ev.error(*f.reader->error());
    }
    done_with_current(f);
    return false;
  }
  const bool file_quiet = mono_ns() - f.last_growth >= static_cast<std::int64_t>(options_.quiet_ns);
  // A quiet file either is done (a later one exists) or lets the clock move the watermark:
  // both need the folder as it is now, not as the last rescan saw it.
  if (file_quiet) {
    f.files = list();
    f.last_scan = mono_ns();
  }
  const bool newer =
      std::any_of(f.files.begin(), f.files.end(), [&](const std::string& name) { return natural_less(f.cur, name); });
  if (newer && file_quiet) {
    done_with_current(f);
    return false;
  }
  // The writer's progress: the newest packet read, or the clock minus the quiet period once
  // nothing has grown for that long.
  std::uint64_t w = last_ts_.load(std::memory_order_relaxed);
  if (file_quiet) w = std::max(w, static_cast<std::uint64_t>(wall_ns()) - options_.quiet_ns);
  f.post(w);
  return true;
}

void FollowSource::deliver(Follow& f, std::shared_ptr<Batch> batch) {
  bytes_read_.fetch_add(batch->size, std::memory_order_relaxed);
  if (f.skip_below != 0) {
    const std::uint64_t base = batch->file_offset;
    std::erase_if(batch->records, [&](const Record& r) { return base + r.offset < f.skip_below; });
    if (batch->records.empty()) return;
  }
  f.outcome.packets += batch->records.size();
  last_ts_.store(std::max(last_ts_.load(std::memory_order_relaxed), batch->records.back().ts_ns),
                 std::memory_order_relaxed);
  f.ev.batch(std::move(batch));
}

void FollowSource::done_with_current(Follow& f) const {
  if (f.reader && f.reader->leftover() != 0) {
    f.notice(fmt::format("warning: {} ends with {} bytes of an incomplete record (not pushed)", f.reader->path(),
                         f.reader->leftover()));
  }
  f.last_done = f.cur;
  f.cur.clear();
  f.reader.reset();
  f.fd = Fd();
  f.seek = 0;
  f.skip_below = 0;
}

}  // namespace pushcap::capture
