#pragma once
// An owned file descriptor and the POSIX calls pushcap's I/O goes through. Every call that can
// fail returns a Result naming the path and the errno text; short writes and EINTR are handled.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace pushcap {

/// Owns one file descriptor; closes it on destruction without reporting (use close() to check).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  ~Fd();

  /// The raw descriptor, or -1.
  [[nodiscard]] int get() const { return fd_; }
  /// True when a descriptor is held.
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  /// Gives up ownership and returns the descriptor.
  int release();
  /// Closes and reports close()'s own error (NFS reports ENOSPC/EDQUOT there); never retried.
  Result<void> close(const std::string& what);

 private:
  int fd_ = -1;
};

/// "strerror(err)" as a string.
std::string errno_text(int err);

/// open(2) with O_CLOEXEC; the error names `path`.
Result<Fd> open_file(const std::string& path, int flags, mode_t mode = 0644);
/// Writes all of [data, data+len), looping over short writes and EINTR.
Result<void> write_all(int fd, const void* data, std::size_t len, const std::string& what);
/// Reads up to len bytes, looping until len bytes or end of file; returns the count read.
/// A read interrupted by a signal after interrupt_count() became non-zero returns early.
Result<std::size_t> read_full(int fd, void* data, std::size_t len, const std::string& what);
/// fsync(2); a failure is final for that file (docs/DESIGN.md, Durable files: never retried and trusted).
Result<void> fsync_fd(int fd, const std::string& what);
/// Opens `dir` and fsyncs it, making a create or rename inside it durable.
Result<void> fsync_dir(const std::string& dir);
/// Renames `from` to `to` only if `to` does not exist (kExists otherwise); atomic where the
/// filesystem supports RENAME_NOREPLACE, else through link(2) + unlink(2).
Result<void> rename_no_replace(const std::string& from, const std::string& to);
/// Writes a small file so that after a crash it is either absent or whole: a temporary name
/// beside it, fsync, rename over `path`, fsync of the directory. On an error before the rename
/// the temporary is removed and `path` is as it was; a failed directory fsync after the rename
/// is Errc::kNotDurable (the new file is in place).
Result<void> write_file_durable(const std::string& path, const std::string& text);
/// mkdir -p; the parent of every directory it creates is fsynced.
Result<void> make_dirs(const std::string& dir);
/// The directory part of a path ("." when there is none).
std::string dir_name(const std::string& path);
/// Whether `path` names anything (following links, as stat does).
bool path_exists(const std::string& path);

}  // namespace pushcap
