#pragma once
// Append-only log files in the original's shape: "<dir>/<base>_YYYYMMDD_HHMM" plus a
// "<dir>/<base>.cur" symlink to the newest. Thread-safe; each line is one write(2).
//
// A line that cannot be written (a full disk) is not silent: the first failure is said on
// stderr, the lines lost are counted, the log says how many once it takes lines again, and the
// run's report names the log (exit status 1).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap::push {

/// One log file.
class LogFile {
 public:
  /// Opens (appending) "<dir>/<base>_YYYYMMDD_HHMM" for the current local time and points
  /// "<dir>/<base>.cur" at it. Creates `dir` if needed.
  static Result<std::unique_ptr<LogFile>> open(const std::string& dir, const std::string& base);

  /// Writes `text` and a newline as they are.
  void raw(std::string_view text);
  /// Writes "[YYYY-MM-DD HH:MM:SS] text".
  void line(std::string_view text);
  /// Writes "Thu Oct 17 00:50:10 2024|json", the original's status-line shape.
  void json(std::string_view json_text);
  /// The path of the file.
  [[nodiscard]] const std::string& path() const { return path_; }
  /// Closes the file, checked (a file system such as NFS reports lost writes there); after
  /// it, lines go nowhere. Its error shows in failure() too.
  void close();
  /// "" when every line was written; else the first error (naming the file) and the number of
  /// lines lost.
  [[nodiscard]] std::string failure() const;

 private:
  mutable std::mutex mutex_;  // guards what follows
  Fd fd_;
  std::string path_;
  std::uint64_t lost_ = 0;      // lines not written, in all
  std::uint64_t lost_now_ = 0;  // lines not written since the last one that was
  std::string first_error_;
};

/// "YYYY-MM-DD HH:MM:SS" for the current local time.
std::string local_time_string();

}  // namespace pushcap::push
