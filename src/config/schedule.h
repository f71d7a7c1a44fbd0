#pragma once
// Config.Schedule: the days and times when a realtime push runs (24/7 when absent), as the
// original's analytics scheduler. Outside it targets pause; they catch up after, reading what
// the store kept meanwhile.
//
//   Config.Schedule = { "Mon-Fri 08:00-18:00", "Sat 09:30-12:00", "Sun 22:00-06:00" }
//
// Days: Mon Tue Wed Thu Fri Sat Sun, a range (Mon-Fri, Fri-Mon) or "daily"; times HH:MM in the
// local zone (TZ), or in UTC with Config.ScheduleUTC = true; an end before the start runs past
// midnight (into the next day).

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::config {

/// The parsed schedule; empty = always.
class Schedule {
 public:
  /// Parses the entries; the error names the entry and what is wrong.
  static Result<Schedule> parse(const std::vector<std::string>& entries, bool utc);
  /// True when pushing runs at `now`.
  [[nodiscard]] bool active(std::time_t now) const;
  [[nodiscard]] bool always() const { return windows_.empty(); }
  [[nodiscard]] const std::vector<std::string>& entries() const { return entries_; }
  bool operator==(const Schedule& o) const { return entries_ == o.entries_ && utc_ == o.utc_; }

 private:
  struct Window {
    unsigned days = 0;  // bit d: starts on weekday d (0 = Sunday)
    int start = 0;      // minutes after midnight
    int end = 0;        // exclusive; <= start: runs into the next day
  };
  std::vector<Window> windows_;
  std::vector<std::string> entries_;
  bool utc_ = false;
};

}  // namespace pushcap::config
