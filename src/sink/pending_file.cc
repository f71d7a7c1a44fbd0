#include "sink/pending_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace pushcap::sink {

Result<PendingFile> PendingFile::create(const NameFn& name) {
  std::string dir = dir_name(name(0));
  if (auto r = make_dirs(dir); !r) return fail(r.error());
  for (unsigned serial = 0; serial < kMaxSerial; ++serial) {
    std::string final_name = name(serial);
    // A name already published is passed over here too, so pending and final names agree.
    if (::access(final_name.c_str(), F_OK) == 0) continue;
    std::string pending = final_name + ".pending";
    auto fd = open_file(pending, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd) {
      PendingFile f;
      f.fd_ = std::move(*fd);
      f.pending_ = std::move(pending);
      // A file this process just made with O_EXCL: the lock is free. Without it (a file system
      // with no locks), the file is only unprotected from a sweep by another run.
      (void)::flock(f.fd_.get(), LOCK_EX | LOCK_NB);
      f.lock_ = Fd(::fcntl(f.fd_.get(), F_DUPFD_CLOEXEC, 0));
      return f;
    }
    if (fd.error().code() != Errc::kExists) return fail(fd.error());
  }
  return fail(Errc::kExists, "no free name for " + name(0));
}

Result<std::string> PendingFile::finalize(const NameFn& name, const std::optional<split::Owner>& owner) {
  if (auto r = fsync_fd(fd_.get(), pending_); !r) return fail(r.error());
  if (owner) {
    gid_t gid = owner->set_gid ? owner->gid : static_cast<gid_t>(-1);
    if (::fchown(fd_.get(), owner->uid, gid) != 0) {
      return fail(Errc::kIo, pending_ + ": chown to " + owner->text + ": " + errno_text(errno));
    }
  }
  if (auto r = fd_.close(pending_); !r) return fail(r.error());
  for (unsigned serial = 0; serial < kMaxSerial; ++serial) {
    std::string final_path = name(serial);
    auto r = rename_no_replace(pending_, final_path);
    if (r) {
      published_ = final_path;
      (void)lock_.close(final_path);
      if (auto d = fsync_dir(dir_name(final_path)); !d) {
        return fail(d.error().context(final_path + " is complete, but its directory entry may not be durable"));
      }
      return final_path;
    }
    if (r.error().code() != Errc::kExists) return fail(r.error());
  }
  return fail(Errc::kExists, "no free name for " + name(0));
}

std::string PendingFile::abandon() {
  if (!published_.empty()) return published_;  // renamed already: nothing pending to keep
  (void)fd_.close(pending_);
  std::string base = pending_.substr(0, pending_.size() - std::string(".pending").size());
  for (unsigned serial = 0; serial < 1000; ++serial) {
    std::string failed = base + (serial == 0 ? "" : "_" + std::to_string(serial)) + ".failed";
    auto r = rename_no_replace(pending_, failed);
    if (r) {
      (void)lock_.close(failed);
      return failed;
    }
    if (r.error().code() != Errc::kExists) break;
  }
  return pending_;  // still locked: no sweep takes it while this process lives
}

Result<Fd> PendingFile::open_writer() const {
  auto fd = open_file(pending_, O_WRONLY | O_NOFOLLOW);
  if (!fd) return fail(fd.error());
  struct stat mine {};
  struct stat opened {};
  if (::fstat(fd_.get(), &mine) != 0 || ::fstat(fd->get(), &opened) != 0 || mine.st_ino != opened.st_ino ||
      mine.st_dev != opened.st_dev) {
    return fail(Errc::kIo, pending_ + ": replaced while it was written");
  }
  return fd;
}

void PendingFile::discard() {
  if (!published_.empty() || pending_.empty()) return;
  (void)fd_.close(pending_);
  ::unlink(pending_.c_str());
  (void)lock_.close(pending_);
}

void PendingFile::keep() {
  (void)fd_.close(pending_);
  (void)lock_.close(pending_);
}

bool remove_orphan(const std::string& path) {
  auto fd = open_file(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) return false;  // a live writer holds it
  // Still the file that was opened (not replaced since): remove it while holding its lock.
  struct stat now {};
  if (::lstat(path.c_str(), &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) return false;
  return ::unlink(path.c_str()) == 0;
}

}  // namespace pushcap::sink
