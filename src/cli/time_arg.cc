#include "cli/time_arg.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace pushcap::cli {
namespace {

// Fractional seconds ".ddd" at `p`: nanoseconds, and the characters used.
bool fraction(const char* p, std::uint64_t& ns, int& used) {
  ns = 0;
  used = 0;
  if (*p != '.') return true;
  ++used;
  std::uint64_t scale = 100'000'000;
  while (p[used] >= '0' && p[used] <= '9') {
    ns += static_cast<std::uint64_t>(p[used] - '0') * scale;
    scale /= 10;
    ++used;
  }
  return used > 1;
}

}  // namespace

Result<std::uint64_t> parse_time_arg(const std::string& text) {
  auto bad = [&] {
    return fail(Errc::kInvalidArgument,
                fmt::format("'{}' is not a time: use 2024-07-28T04:05:00Z (UTC) or seconds since the epoch", text));
  };
  if (text.empty()) return bad();
  const char* s = text.c_str();
  bool digits_only = true;
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '.') digits_only = false;
  }
  if (digits_only) {
    char* end = nullptr;
    const unsigned long long secs = std::strtoull(s, &end, 10);
    std::uint64_t ns = 0;
    int used = 0;
    if (!fraction(end, ns, used) || end[used] != '\0' || secs > 4'000'000'000ull) return bad();
    return secs * 1'000'000'000ull + ns;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  char sep = 0;
  if (std::sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &n) != 7 ||
      (sep != 'T' && sep != ' ')) {
    return bad();
  }
  std::uint64_t ns = 0;
  int used = 0;
  if (!fraction(s + n, ns, used)) return bad();
  const char* rest = s + n + used;
  if (!(rest[0] == '\0' || (rest[0] == 'Z' && rest[1] == '\0'))) {
    return fail(Errc::kInvalidArgument, fmt::format("'{}': give the time in UTC, ending in Z", text));
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return bad();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const std::time_t t = timegm(&tm);
  if (t < 0) return bad();
  return static_cast<std::uint64_t>(t) * 1'000'000'000ull + ns;
}

}  // namespace pushcap::cli
