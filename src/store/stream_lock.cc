#include "store/stream_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include <fmt/format.h>

#include "store/store_layout.h"

namespace pushcap::store {

Result<Fd> lock_stream(const std::string& stream_dir) {
  const std::string path = stream_dir + "/" + kLockFile;
  auto fd = open_file(path, O_RDWR | O_CREAT);
  if (!fd) return fail(fd.error());
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
    return fail(Errc::kExists,
                fmt::format("the stream {} is being written by another process ({})", stream_dir, errno_text(errno)));
  }
  return fd;
}

bool stream_writer_alive(const std::string& stream_dir) {
  auto fd = open_file(stream_dir + "/" + kLockFile, O_RDONLY);
  if (!fd) return false;
  // A shared lock is refused only while the writer holds its exclusive one.
  if (::flock(fd->get(), LOCK_SH | LOCK_NB) != 0) return errno == EWOULDBLOCK;
  ::flock(fd->get(), LOCK_UN);
  return false;
}

}  // namespace pushcap::store
