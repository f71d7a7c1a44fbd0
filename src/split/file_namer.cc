#include "split/file_namer.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace pushcap::split {
namespace {

constexpr std::uint64_t kNs = 1'000'000'000;

std::tm broken_down(std::uint64_t ns, bool utc) {
  std::time_t secs = static_cast<std::time_t>(ns / kNs);
  std::tm tm{};
  if (utc) {
    gmtime_r(&secs, &tm);
  } else {
    localtime_r(&secs, &tm);
  }
  return tm;
}

std::string day_and_time(const std::tm& tm, const char* sep_date, const char* sep_mid, const char* sep_time,
                         bool seconds) {
  std::string s = fmt::format("{:04}{}{:02}{}{:02}{}{:02}{}{:02}", tm.tm_year + 1900, sep_date, tm.tm_mon + 1, sep_date,
                              tm.tm_mday, sep_mid, tm.tm_hour, sep_time, tm.tm_min);
  if (seconds) s += fmt::format("{}{:02}", sep_time, tm.tm_sec);
  return s;
}

}  // namespace

std::string FileNamer::stem(const SplitTimes& times) const {
  const std::uint64_t t = times.start;
  switch (spec_.layout) {
    case NameLayout::kEpochSec:
      return fmt::format("{}", t / kNs);
    case NameLayout::kEpochSecStartEnd:
      return fmt::format("{}-{}", t / kNs, times.end / kNs);
    case NameLayout::kEpochMsec:
      return fmt::format("{}", t / 1'000'000);
    case NameLayout::kEpochUsec:
      return fmt::format("{}", t / 1'000);
    case NameLayout::kEpochNsec:
      return fmt::format("{}", t);
    case NameLayout::kTstrHHMM:
      return day_and_time(broken_down(t, spec_.utc), "", "_", "", false);
    case NameLayout::kTstrHHMMSS:
      return day_and_time(broken_down(t, spec_.utc), "", "_", "", true);
    case NameLayout::kTstrHHMMSS_NS: {
      std::uint64_t sub = t % kNs;
      return day_and_time(broken_down(t, spec_.utc), "", "_", "", true) +
             fmt::format(".{:03}.{:03}.{:03}", sub / 1'000'000, sub / 1'000 % 1'000, sub % 1'000);
    }
    case NameLayout::kTstrHHMMSS_SUB:
      return day_and_time(broken_down(t, spec_.utc), "", "_", "-", true) + fmt::format(".{:09}", t % kNs);
    case NameLayout::kTstrHHMMSS_TZ: {
      std::tm tm = broken_down(t, spec_.utc);
      // The offset in force at the split's own time (not the current clock), as +HH:MM.
      long off = spec_.utc ? 0 : tm.tm_gmtoff;
      char sign = off < 0 ? '-' : '+';
      long a = off < 0 ? -off : off;
      return day_and_time(tm, "-", "_", ":", true) + fmt::format("{}{:02}:{:02}", sign, a / 3600, a % 3600 / 60);
    }
    case NameLayout::kStrftime: {
      std::tm tm = broken_down(t, spec_.utc);
      char buf[512];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      // The pattern is the user's own --filename-strftime, checked to give a name at parse time.
      std::size_t n = std::strftime(buf, sizeof buf, spec_.strftime.c_str(), &tm);
#pragma GCC diagnostic pop
      return n == 0 ? fmt::format("{}", t / kNs) : std::string(buf, n);
    }
  }
  return fmt::format("{}", t / kNs);
}

std::string FileNamer::path(const SplitTimes& times, const std::string& tag, unsigned serial) const {
  std::string p = prefix_ + stem(times) + tag;
  if (serial > 0) p += fmt::format("_{}", serial);
  return p + spec_.suffix;
}

std::string prefix_from_path(const std::string& path) {
  if (path.empty()) return path;
  char last = path.back();
  if (last == '/' || last == '_' || last == '-' || last == '.') return path;
  if (std::isalnum(static_cast<unsigned char>(last)) != 0) return path + "_";
  return path;
}

}  // namespace pushcap::split
