#pragma once
// A split file under construction: written as "<final name>.pending" in the directory of its
// final name, then made durable and published by finalize(): fsync, close (checked), chown,
// rename that never replaces an existing file, fsync of the directory (docs/DESIGN.md, Durable files).
//
// A pending file holds an exclusive flock(2) from its creation until it is renamed, removed or
// its process dies (a duplicate descriptor keeps it past the checked close): a pending file
// nobody holds is an orphan of a run that died, and remove_orphan() may take it away.

#include <functional>
#include <optional>
#include <string>

#include "core/fd.h"
#include "core/result.h"
#include "split/split_spec.h"

namespace pushcap::sink {

/// Produces candidate final paths; serial 0 is the plain name, 1, 2, ... the alternatives.
using NameFn = std::function<std::string(unsigned serial)>;

/// One pending split file; movable, not copyable.
class PendingFile {
 public:
  /// Creates "<name(serial)>.pending" with O_EXCL for the first serial whose final and pending
  /// names are both free, creating the directory if needed.
  static Result<PendingFile> create(const NameFn& name);

  /// The open descriptor to write to.
  [[nodiscard]] int fd() const { return fd_.get(); }
  /// The pending path.
  [[nodiscard]] const std::string& path() const { return pending_; }
  /// A second descriptor for writing the same file, without its lock: for a child process
  /// (PipeCmd) that may outlive a run that dies, and must not keep its file from the sweep.
  [[nodiscard]] Result<Fd> open_writer() const;

  /// fsync: the bytes written are durable (a failure is final, as in finalize()).
  Result<void> sync() { return fsync_fd(fd_.get(), pending_); }
  /// Makes the file durable and renames it to the first free name(serial); returns the final
  /// path. A failed fsync or close is final: the file stays pending-named and is not published.
  /// When only the directory fsync after the rename fails, the error is returned too, but the
  /// complete file is under its final name: published() says which.
  Result<std::string> finalize(const NameFn& name, const std::optional<split::Owner>& owner);
  /// The final path once renamed ("" before).
  [[nodiscard]] const std::string& published() const { return published_; }
  /// Gives up a file that could not be completed: renames it to "<pending minus .pending>.failed"
  /// (never over an existing file) and returns that name, or the pending name if renaming failed.
  std::string abandon();
  /// Gives up a file whose content is written again elsewhere (a restart rebuilds it from a
  /// checkpoint): closes and removes it. Nothing when it was renamed already.
  void discard();
  /// Leaves a complete file pending for the next run to publish (a checkpoint names it): closes
  /// it; the lock goes with it, so that run may take it.
  void keep();

 private:
  Fd fd_;
  Fd lock_;  // a duplicate of fd_ that holds the flock until the file is renamed or removed
  std::string pending_;
  std::string published_;
};

/// Removes `path`, a pending file, when no live process holds it (see above): true when removed,
/// false when it is in use or gone. Links and non-regular files are left alone.
bool remove_orphan(const std::string& path);

/// How many serials are tried before giving up on finding a free name.
inline constexpr unsigned kMaxSerial = 100000;

}  // namespace pushcap::sink
