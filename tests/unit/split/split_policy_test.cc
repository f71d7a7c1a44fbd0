#include <gtest/gtest.h>

#include "split/split_policy.h"

namespace pushcap::split {
namespace {

using Step = SplitPolicy::TimeStep;
constexpr std::uint64_t kS = 1'000'000'000;

SplitPolicy time_policy(std::uint64_t period) {
  SplitSpec spec;
  spec.time_ns = period;
  return SplitPolicy(spec);
}

TEST(SplitPolicy, PeriodsAreWholeMultiplesOnTheEpochStartInclusiveEndExclusive) {
  auto p = time_policy(60 * kS);
  const std::uint64_t minute = 1'616'334'600 * kS;
  EXPECT_EQ(p.classify(minute + 5), Step::kFirst);
  p.open_period(minute + 5);
  EXPECT_EQ(p.times(0, 0).start, minute);
  EXPECT_EQ(p.times(0, 0).end, minute + 60 * kS);
  EXPECT_EQ(p.classify(minute), Step::kSame);
  EXPECT_EQ(p.classify(minute + 60 * kS - 1), Step::kSame);
  EXPECT_EQ(p.classify(minute + 60 * kS), Step::kNextPeriod) << "a packet on the boundary opens the next split";
  EXPECT_EQ(p.classify(minute - 60 * kS), Step::kSame) << "back by exactly one period stays";
  EXPECT_EQ(p.classify(minute - 60 * kS - 1), Step::kJumpedBack);
  EXPECT_FALSE(p.watermark_closes(minute + 60 * kS - 1));
  EXPECT_TRUE(p.watermark_closes(minute + 60 * kS));
  p.close_period();
  EXPECT_EQ(p.classify(minute + 61 * kS), Step::kFirst);
}

TEST(SplitPolicy, ByteLimitCountsHeadersAndAnEmptyFileTakesAnyRecord) {
  SplitSpec spec;
  spec.bytes = 1000;
  SplitPolicy p(spec);
  EXPECT_EQ(p.classify(12345), Step::kSame) << "no time splitting";
  EXPECT_FALSE(p.file_full(24, 0, 5000)) << "a packet larger than the limit gets a file of its own";
  EXPECT_FALSE(p.file_full(900, 3, 100));
  EXPECT_TRUE(p.file_full(900, 3, 101));
  EXPECT_EQ(p.times(7, 9).start, 7u);
  EXPECT_EQ(p.times(7, 9).end, 9u);
}

TEST(SplitPolicy, PacketCountAndCombinedLimits) {
  SplitSpec spec;
  spec.packets = 3;
  spec.bytes = 1'000'000;
  SplitPolicy p(spec);
  EXPECT_FALSE(p.file_full(100, 2, 100));
  EXPECT_TRUE(p.file_full(100, 3, 100));
  EXPECT_TRUE(p.file_full(999'990, 1, 100));
}

}  // namespace
}  // namespace pushcap::split
