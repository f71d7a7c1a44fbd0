#include <gtest/gtest.h>

#include "config/schedule.h"

namespace pushcap::config {
namespace {

// 2024-07-29 was a Monday; times in UTC.
std::time_t at(int day, int h, int m) {
  return static_cast<std::time_t>(1722211200 + (day - 29) * 86400 + h * 3600 + m * 60);
}

TEST(Schedule, WindowsDaysAndMidnight) {
  auto s = Schedule::parse({"Mon-Fri 08:00-18:00", "Sat 22:00-02:00"}, true);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(s->active(at(29, 8, 0)));    // Monday 08:00
  EXPECT_FALSE(s->active(at(29, 18, 0)));  // end is exclusive
  EXPECT_FALSE(s->active(at(29, 7, 59)));
  EXPECT_TRUE(s->active(at(33, 17, 59)));  // Friday
  EXPECT_FALSE(s->active(at(34, 12, 0)));  // Saturday noon
  EXPECT_TRUE(s->active(at(34, 23, 0)));   // Saturday night
  EXPECT_TRUE(s->active(at(35, 1, 59)));   // ... into Sunday
  EXPECT_FALSE(s->active(at(35, 2, 0)));
  EXPECT_FALSE(s->active(at(35, 23, 0)));  // Sunday night is not Saturday's
  auto always = Schedule::parse({}, true);
  ASSERT_TRUE(always);
  EXPECT_TRUE(always->always());
  EXPECT_TRUE(always->active(at(30, 3, 3)));
  auto daily = Schedule::parse({"daily 00:00-24:00"}, true);
  ASSERT_TRUE(daily);
  EXPECT_TRUE(daily->active(at(31, 23, 59)));
}

TEST(Schedule, ErrorsNameTheEntry) {
  for (const char* bad : {"Mon 8:00-18:00", "Funday 08:00-18:00", "Mon 08:00", "Mon 08:00-08:00", "Mon 25:00-26:00",
                          "Mon-Fri 08:00-18:00 extra"}) {
    auto s = Schedule::parse({"daily 00:00-01:00", bad}, true);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message().find("Schedule entry 2"), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find(bad), std::string::npos);
  }
}

}  // namespace
}  // namespace pushcap::config
