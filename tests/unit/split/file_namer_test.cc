#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "split/file_namer.h"

namespace pushcap::split {
namespace {

class FileNamerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz != nullptr ? tz : "";
    had_ = tz != nullptr;
  }
  void TearDown() override {
    if (had_)
      setenv("TZ", saved_.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  static void zone(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
  std::string saved_;
  bool had_ = false;
};

std::string name(NameLayout layout, std::uint64_t start, std::uint64_t end = 0, bool utc = false) {
  SplitSpec s;
  s.layout = layout;
  s.utc = utc;
  return FileNamer(s, "p/").path({start, end}, "", 0);
}

// 2021-12-01 23:50:59.123456789 UTC
constexpr std::uint64_t kT = 1638402659123456789ull;

TEST_F(FileNamerTest, EveryLayoutInUtc) {
  zone("UTC");
  EXPECT_EQ(name(NameLayout::kEpochSec, kT), "p/1638402659.pcap");
  EXPECT_EQ(name(NameLayout::kEpochSecStartEnd, 1616334655000000000ull, 1616334715000000000ull),
            "p/1616334655-1616334715.pcap");
  EXPECT_EQ(name(NameLayout::kEpochMsec, kT), "p/1638402659123.pcap");
  EXPECT_EQ(name(NameLayout::kEpochUsec, kT), "p/1638402659123456.pcap");
  EXPECT_EQ(name(NameLayout::kEpochNsec, kT), "p/1638402659123456789.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMM, kT), "p/20211201_2350.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS, kT), "p/20211201_235059.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_NS, kT), "p/20211201_235059.123.456.789.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_SUB, kT), "p/20211201_23-50-59.123456789.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_TZ, kT), "p/2021-12-01_23:50:59+00:00.pcap");
}

TEST_F(FileNamerTest, LocalZoneWithItsOwnOffsetAtThePacketsTime) {
  zone("Asia/Kolkata");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS, kT), "p/20211202_052059.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_TZ, kT), "p/2021-12-02_05:20:59+05:30.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS, kT, 0, true), "p/20211201_235059.pcap");
  zone("America/New_York");
  // July is daylight time (-04:00), December standard time (-05:00), whatever the clock says now.
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_TZ, 1722016800000000000ull), "p/2024-07-26_14:00:00-04:00.pcap");
  EXPECT_EQ(name(NameLayout::kTstrHHMMSS_TZ, kT), "p/2021-12-01_18:50:59-05:00.pcap");
}

TEST_F(FileNamerTest, StrftimeSerialAndTag) {
  zone("UTC");
  SplitSpec s;
  s.layout = NameLayout::kStrftime;
  s.strftime = "%Y/%m/%d/cap-%H%M%S";
  FileNamer n(s, "/data/");
  EXPECT_EQ(n.path({kT, 0}, "", 0), "/data/2021/12/01/cap-235059.pcap");
  EXPECT_EQ(n.path({kT, 0}, "_dlt113_us", 2), "/data/2021/12/01/cap-235059_dlt113_us_2.pcap");
}

TEST(PrefixRule, AsTheSeedDocuments) {
  EXPECT_EQ(prefix_from_path("/mnt/store0/pushpcap/x/"), "/mnt/store0/pushpcap/x/");
  EXPECT_EQ(prefix_from_path("/mnt/remote0/push/all"), "/mnt/remote0/push/all_");
  EXPECT_EQ(prefix_from_path("/mnt/remote0/push/all_"), "/mnt/remote0/push/all_");
  EXPECT_EQ(prefix_from_path("/mnt/remote0/push/all-"), "/mnt/remote0/push/all-");
  EXPECT_EQ(prefix_from_path("/mnt/remote0/push/all."), "/mnt/remote0/push/all.");
  EXPECT_EQ(prefix_from_path("out/feed7"), "out/feed7_");
}

}  // namespace
}  // namespace pushcap::split
