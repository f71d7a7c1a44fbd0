#pragma once
// Wall-clock and monotonic time in nanoseconds.

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace pushcap {

/// Nanoseconds since the UNIX epoch from CLOCK_REALTIME.
inline std::int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// Nanoseconds from CLOCK_MONOTONIC, for measuring durations.
inline std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// "SECONDS.NANOSECONDS" of a packet time, for log lines.
inline std::string ns_text(std::uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%09llu", static_cast<unsigned long long>(ns / 1'000'000'000u),
                static_cast<unsigned long long>(ns % 1'000'000'000u));
  return buf;
}

}  // namespace pushcap
