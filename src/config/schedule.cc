#include "config/schedule.h"

#include <array>
#include <cstdio>
#include <sstream>

#include <fmt/format.h>

namespace pushcap::config {
namespace {

constexpr std::array<const char*, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

int day_index(std::string d) {
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (d == kDays[i]) return static_cast<int>(i);
  }
  return -1;
}

bool parse_hhmm(const std::string& t, int& minutes) {
  int h = 0, m = 0;
  char extra = 0;
  if (std::sscanf(t.c_str(), "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
      (h == 24 && m != 0) || t.size() != 5) {
    return false;
  }
  minutes = h * 60 + m;
  return true;
}

}  // namespace

Result<Schedule> Schedule::parse(const std::vector<std::string>& entries, bool utc) {
  Schedule s;
  s.utc_ = utc;
  s.entries_ = entries;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    auto bad = [&](const std::string& why) {
      return fail(
          Errc::kInvalidArgument,
          fmt::format("Schedule entry {} \"{}\": {} (write e.g. \"Mon-Fri 08:00-18:00\" or \"daily 00:00-24:00\")",
                      i + 1, e, why));
    };
    std::istringstream in(e);
    std::string days, times, more;
    in >> days >> times;
    if (days.empty() || times.empty() || (in >> more)) return bad("expected DAYS HH:MM-HH:MM");
    Window w;
    if (days == "daily" || days == "Daily" || days == "*") {
      w.days = 0x7f;
    } else {
      const std::size_t dash = days.find('-');
      const int a = day_index(days.substr(0, dash));
      const int b = dash == std::string::npos ? a : day_index(days.substr(dash + 1));
      if (a < 0 || b < 0) return bad("unknown day (Mon Tue Wed Thu Fri Sat Sun, a range like Mon-Fri, or daily)");
      for (int d = a;; d = (d + 1) % 7) {
        w.days |= 1u << d;
        if (d == b) break;
      }
    }
    const std::size_t dash = times.find('-');
    if (dash == std::string::npos || !parse_hhmm(times.substr(0, dash), w.start) ||
        !parse_hhmm(times.substr(dash + 1), w.end)) {
      return bad("times must be HH:MM-HH:MM (24-hour clock)");
    }
    if (w.start == w.end) return bad("the window is empty (start equals end)");
    s.windows_.push_back(w);
  }
  return s;
}

bool Schedule::active(std::time_t now) const {
  if (windows_.empty()) return true;
  std::tm tm{};
  if (utc_) {
    gmtime_r(&now, &tm);
  } else {
    localtime_r(&now, &tm);
  }
  const int minute = tm.tm_hour * 60 + tm.tm_min;
  const int today = tm.tm_wday;
  const int yesterday = (today + 6) % 7;
  for (const Window& w : windows_) {
    if (w.end > w.start) {
      if ((w.days & (1u << today)) != 0 && minute >= w.start && minute < w.end) return true;
    } else {  // past midnight: the evening part today, the morning part from yesterday's window
      if ((w.days & (1u << today)) != 0 && minute >= w.start) return true;
      if ((w.days & (1u << yesterday)) != 0 && minute < w.end) return true;
    }
  }
  return false;
}

}  // namespace pushcap::config
