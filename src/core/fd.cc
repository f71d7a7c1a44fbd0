#include "core/fd.h"

#include "core/interrupt.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace pushcap {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Result<void> Fd::close(const std::string& what) {
  if (fd_ < 0) return {};
  int fd = release();
  // close() is never retried, even on EINTR: the descriptor is gone either way on Linux.
  if (::close(fd) != 0 && errno != EINTR) return fail(Errc::kIo, what + ": close: " + errno_text(errno));
  return {};
}

std::string errno_text(int err) {
  return std::strerror(err);
}

Result<Fd> open_file(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const Errc code = errno == EEXIST ? Errc::kExists : errno == ENOENT ? Errc::kNotFound : Errc::kIo;
    return fail(code, path + ": " + errno_text(errno));
  }
  return Fd(fd);
}

Result<void> write_all(int fd, const void* data, std::size_t len, const std::string& what) {
  const auto* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::kIo, what + ": write: " + errno_text(errno));
    }
    if (n == 0) return fail(Errc::kIo, what + ": write returned 0");
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::size_t> read_full(int fd, void* data, std::size_t len, const std::string& what) {
  auto* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < len) {
    ssize_t n = ::read(fd, p + got, len - got);
    if (n < 0) {
      if (errno == EINTR) {
        if (interrupt_count().load() > 0) break;
        continue;
      }
      return fail(Errc::kIo, what + ": read: " + errno_text(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

Result<void> fsync_fd(int fd, const std::string& what) {
  if (::fsync(fd) != 0) return fail(Errc::kIo, what + ": fsync: " + errno_text(errno));
  return {};
}

Result<void> fsync_dir(const std::string& dir) {
  auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fail(fd.error());
  if (auto r = fsync_fd(fd->get(), dir); !r) return r;
  return fd->close(dir);
}

Result<void> rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  int err = errno;
  if (err == EEXIST) return fail(Errc::kExists, to + ": exists");
  if (err != EINVAL && err != ENOSYS) {
    return fail(Errc::kIo, "rename " + from + " -> " + to + ": " + errno_text(err));
  }
  // The filesystem (NFS, some FUSE) lacks RENAME_NOREPLACE: link() refuses an existing name too.
  if (::link(from.c_str(), to.c_str()) != 0) {
    err = errno;
    if (err == EEXIST) return fail(Errc::kExists, to + ": exists");
    return fail(Errc::kIo, "link " + from + " -> " + to + ": " + errno_text(err));
  }
  if (::unlink(from.c_str()) != 0) {
    return fail(Errc::kIo, "unlink " + from + " after linking it to " + to + ": " + errno_text(errno));
  }
  return {};
}

Result<void> make_dirs(const std::string& dir) {
  if (dir.empty()) return {};
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) == 0) {
      // A new directory is durable only once its parent is synced (docs/DESIGN.md, Durable files).
      if (auto r = fsync_dir(dir_name(partial)); !r) return r;
    } else if (errno != EEXIST) {
      return fail(Errc::kIo, "create directory " + partial + ": " + errno_text(errno));
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(Errc::kIo, dir + ": not a directory");
  }
  return {};
}

std::string dir_name(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<void> write_file_durable(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  auto written = [&]() -> Result<void> {
    auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (!fd) return fail(fd.error());
    if (auto r = write_all(fd->get(), text.data(), text.size(), tmp); !r) return r;
    if (auto r = fsync_fd(fd->get(), tmp); !r) return r;
    if (auto r = fd->close(tmp); !r) return r;
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return fail(Errc::kIo, "cannot rename " + tmp + " to " + path + ": " + errno_text(errno));
    }
    return {};
  }();
  if (!written) {
    ::unlink(tmp.c_str());  // the file at `path` is the one before, whole
    return written;
  }
  if (auto d = fsync_dir(dir_name(path)); !d) {
    return fail(Errc::kNotDurable, d.error().message() + " (" + path + " is written, but may not be durable)");
  }
  return {};
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace pushcap
