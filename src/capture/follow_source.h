#pragma once
// Follows another program's rolling capture files in a directory (tcpdump -G/-C, dumpcap -b,
// n2disk and the like): files are read in natural name order as they grow (an incomplete record
// at the end is "not yet", not damage); the next file is taken when it appears (inotify plus a
// rescan each second) and the current one has been quiet for the quiet period. Hidden and
// temporary names (.x, *.tmp, *.part, *.pending, *.filepart) are left until renamed. The
// watermark is the writer's progress: the newest packet read, or the clock minus the quiet
// period once nothing has grown for that long.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/source.h"

namespace pushcap::capture {

/// How a directory is followed.
struct FollowOptions {
  std::string dir;
  std::uint64_t quiet_ns = 2'000'000'000;  ///< a file is done once a later one exists and it is quiet this long
  bool from_start = false;                 ///< start with the oldest file (FollowStart); else from now
  int poll_ms = 50;
};

/// A directory of rolling captures as a source.
class FollowSource : public Source {
 public:
  FollowSource(FollowOptions options, BatchPool& pool) : options_(std::move(options)), pool_(pool) {}

  SourceOutcome run(const SourceEvents& events) override;
  [[nodiscard]] std::uint64_t bytes_read() const override { return bytes_read_.load(std::memory_order_relaxed); }
  /// The file's name in the directory.
  [[nodiscard]] std::string input_name(std::uint32_t index) const override;
  [[nodiscard]] bool input_before(const std::string& a, const std::string& b) const override;
  bool resume_at(const std::string& input, std::uint64_t seek) override;
  [[nodiscard]] double lag_seconds() const override;

 private:
  struct Follow;  // the state of one run()
  void watch(Follow& f) const;
  void choose_start(Follow& f) const;
  bool open_current(Follow& f, std::int64_t now);
  // Reads what the current file has grown by; false when it is done (or unreadable).
  bool read_current(Follow& f, std::int64_t now);
  void deliver(Follow& f, std::shared_ptr<Batch> batch);
  void done_with_current(Follow& f) const;
  // The capture-like files of the directory, in natural order.
  std::vector<std::string> list() const;
  bool wait(int inotify_fd);

  FollowOptions options_;
  BatchPool& pool_;
  FormatRegistry registry_;
  std::atomic<std::uint64_t> bytes_read_{0};
  std::atomic<std::uint64_t> last_ts_{0};
  mutable std::mutex mutex_;
  std::deque<std::string> names_;  // per input index
  std::string resume_file_;
  std::uint64_t resume_seek_ = 0;
  bool resume_ = false;
};

}  // namespace pushcap::capture
