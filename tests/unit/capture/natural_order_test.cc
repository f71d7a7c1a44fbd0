#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "capture/natural_order.h"

namespace pushcap::capture {
namespace {

TEST(NaturalOrder, AsRollingWritersName) {
  std::vector<std::string> names = {"cap10",
                                    "cap",
                                    "cap2",
                                    "cap1",
                                    "x_00010_20240101.pcapng",
                                    "x_00009_20240101.pcapng",
                                    "cap_20240101_000005.pcap",
                                    "cap_20240101_000000.pcap"};
  std::sort(names.begin(), names.end(), natural_less);
  EXPECT_EQ(names, (std::vector<std::string>{"cap", "cap1", "cap2", "cap10", "cap_20240101_000000.pcap",
                                             "cap_20240101_000005.pcap", "x_00009_20240101.pcapng",
                                             "x_00010_20240101.pcapng"}));
  EXPECT_FALSE(natural_less("a", "a"));
  EXPECT_TRUE(natural_less("a9", "a009x") != natural_less("a009x", "a9"));
}

}  // namespace
}  // namespace pushcap::capture
