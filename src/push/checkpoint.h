#pragma once
// A target's checkpoint in a realtime push (store or follow): where to read again after a crash
// or a restart so that no packet is lost and no split is published twice (USER_GUIDE.md,
// "Checkpoints"). Saved durably by the closer thread just before a split is renamed to its
// final name, together with that split's pending path: if the process dies between the two,
// the next start completes the rename.
//
// <state dir>/<Desc>.checkpoint.json, with <Desc>.lock held while a push runs the target.

#include <cstdint>
#include <optional>
#include <string>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap::push {

/// A place to resume reading: records of `input` from data offset `skip_below` on (and every
/// later input) are not published yet; reading may restart at byte `seek` of `input`.
struct ResumePoint {
  std::string input;             ///< the source's input key (store: STREAM/seg_N.pcap; follow: file name)
  std::uint64_t seek = 0;        ///< a record boundary at or before the first record to push (0 = file start)
  std::uint64_t skip_below = 0;  ///< records whose data starts before this offset were published
};

/// What a checkpoint file holds.
struct Checkpoint {
  std::string target;
  ResumePoint resume;
  std::string publishing;    ///< pending path of the split being renamed when it was saved ("" = none)
  std::string final_path;    ///< the name it is renamed to
  std::uint64_t splits = 0;  ///< splits published with checkpoints so far
  std::int64_t saved_ns = 0;
};

/// One target's checkpoint file.
class CheckpointFile {
 public:
  /// Opens <dir>/<desc>.checkpoint.json and takes <desc>.lock; fails when another push runs it.
  static Result<CheckpointFile> open(const std::string& dir, const std::string& desc);
  /// The last saved checkpoint, if any (a damaged file is an error naming it).
  Result<std::optional<Checkpoint>> load() const;
  /// Saves durably (temporary name, fsync, rename, directory fsync).
  Result<void> save(const Checkpoint& cp) const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  Fd lock_;
};

/// Completes a publication a crash interrupted: the split `publishing` names, complete and
/// synced, is renamed to its final name if it is still pending. Returns what it did ("" when
/// nothing was left to do).
Result<std::string> complete_publication(const Checkpoint& cp);

}  // namespace pushcap::push
