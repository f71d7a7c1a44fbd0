// --from/--to times against GNU date's reading of the same text.

#include "cli/time_arg.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace pushcap::cli {
namespace {

std::uint64_t date_seconds(const std::string& text) {
  const std::string cmd = "date -u -d '" + text + "' +%s";
  FILE* p = ::popen(cmd.c_str(), "r");
  unsigned long long s = 0;
  EXPECT_EQ(std::fscanf(p, "%llu", &s), 1) << cmd;
  ::pclose(p);
  return s;
}

TEST(TimeArg, CalendarTimesAreUtcAsDateReadsThem) {
  for (const char* t : {"2024-07-28T04:05:00Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2038-01-19T03:14:08Z",
                        "2106-02-07T06:28:15Z"}) {
    auto ns = parse_time_arg(t);
    ASSERT_TRUE(ns) << t << ": " << ns.error().message();
    EXPECT_EQ(*ns, date_seconds(t) * 1'000'000'000ull) << t;
  }
  auto space = parse_time_arg("2024-07-28 04:05:00");
  ASSERT_TRUE(space);
  EXPECT_EQ(*space, date_seconds("2024-07-28T04:05:00Z") * 1'000'000'000ull);
  auto frac = parse_time_arg("2024-07-28T04:05:00.000000123Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(*frac, date_seconds("2024-07-28T04:05:00Z") * 1'000'000'000ull + 123);
}

TEST(TimeArg, EpochSecondsWithAFraction) {
  EXPECT_EQ(*parse_time_arg("1722139500"), 1722139500'000'000'000ull);
  EXPECT_EQ(*parse_time_arg("1722139500.25"), 1722139500'250'000'000ull);
  EXPECT_EQ(*parse_time_arg("0.000000001"), 1u);
}

TEST(TimeArg, AnythingElseIsRefusedWithTheTextInTheMessage) {
  for (const char* bad : {"", "yesterday", "2024-13-01T00:00:00Z", "2024-07-28T24:00:00Z", "2024-07-28T04:05:00+02:00",
                          "1722139500.", "17221395000000", "1.2.3", "1969-12-31T23:59:59Z"}) {
    auto r = parse_time_arg(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace pushcap::cli
