#pragma once
// The local spool of an RCLONE target: every split is complete here before it is uploaded, and
// stays until the upload is verified and moved to its final remote name (and its Post script
// has run on it). Survives crashes: a record (<seq>.json) is made durable before the split's
// file gets its final local name, so a complete file always has its record; a marker
// (<seq>.uploaded) says the remote has it. On open, complete entries are taken up again in
// order and incomplete ones removed. The spool has a size limit the target waits on.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/result.h"
#include "split/finished_split.h"

namespace pushcap::sink {

/// One split in the spool.
struct SpoolEntry {
  std::uint64_t seq = 0;
  std::string remote_base;  ///< the remote name without serial and suffix
  std::string suffix;       ///< ".pcap", ".pcap.gz", ...
  split::FinishedSplit
      split;              ///< facts; split.path is the local file, split.remote the final remote name once uploaded
  bool uploaded = false;  ///< the remote has it under split.remote
  /// The remote name for `serial` (0: the plain name; n: "_n" before the suffix).
  [[nodiscard]] std::string remote_name(unsigned serial) const;
};

class Spool {
 public:
  /// Opens (creating) the spool folder `dir`, locks it against a second pushcap, and scans it.
  static Result<std::unique_ptr<Spool>> open(const std::string& dir, std::uint64_t limit);

  /// Entries found complete when the spool was opened, oldest first.
  [[nodiscard]] const std::vector<SpoolEntry>& resumed() const { return resumed_; }
  /// Entries found with a damaged or unreadable record: left as they are, not uploaded; each
  /// names the entry folder and what is wrong.
  [[nodiscard]] const std::vector<std::string>& set_aside() const { return set_aside_; }
  /// A new entry number and its folder (created).
  Result<std::uint64_t> new_entry();
  /// The folder of entry `seq`; a split's file goes inside it under its own name.
  [[nodiscard]] std::string entry_dir(std::uint64_t seq) const;
  /// Makes the entry's record durable (before its file is renamed to its final local name).
  Result<void> write_record(const SpoolEntry& entry);
  /// Records durably that the remote has the entry under entry.split.remote.
  Result<void> mark_uploaded(const SpoolEntry& entry);
  /// Removes an entry: file, record, marker, folder (files others put in the folder stay).
  void remove(const SpoolEntry& entry);
  /// Removes an entry whose split never completed; `counted` bytes of it leave the count.
  void discard(std::uint64_t seq, std::uint64_t counted = 0);

  /// Spooled bytes are counted from when a split is complete until it is removed.
  void add_bytes(std::uint64_t n);
  [[nodiscard]] std::uint64_t bytes() const;
  [[nodiscard]] std::uint64_t limit() const { return limit_; }
  /// Waits while the spool is at its limit; returns false if `stop()` became true first.
  bool wait_for_room(const std::function<bool()>& stop);
  [[nodiscard]] const std::string& dir() const { return dir_; }

 private:
  Spool(std::string dir, std::uint64_t limit) : dir_(std::move(dir)), limit_(limit) {}
  Result<void> scan();
  [[nodiscard]] std::string record_path(std::uint64_t seq) const;
  [[nodiscard]] std::string marker_path(std::uint64_t seq) const;

  std::string dir_;
  std::uint64_t limit_;
  Fd lock_;
  std::uint64_t next_seq_ = 1;
  std::vector<SpoolEntry> resumed_;
  std::vector<std::string> set_aside_;
  mutable std::mutex mutex_;
  std::condition_variable room_;
  std::uint64_t bytes_ = 0;
};

}  // namespace pushcap::sink
