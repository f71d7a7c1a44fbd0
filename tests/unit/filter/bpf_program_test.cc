#include <gtest/gtest.h>

#include "filter/bpf_program.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

// An Ethernet/IPv4/UDP frame to 239.1.1.1:30001.
Bytes udp_frame() {
  Bytes f = {0x01, 0x00, 0x5e, 0x01, 0x01, 0x01, 0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x01, 0x08, 0x00,
             0x45, 0x00, 0x00, 0x24, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   0,
             0,    1,    239,  1,    1,    1,    0x9c, 0x40, 0x75, 0x31, 0x00, 0x10, 0x00, 0x00};
  f.resize(f.size() + 8, 0x42);
  return f;
}

TEST(BpfProgram, MatchesAsLibpcapCompilesIt) {
  Bytes f = udp_frame();
  auto n = static_cast<std::uint32_t>(f.size());
  auto udp = filter::BpfProgram::compile("udp and dst port 30001", 1, 65535);
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->match(f.data(), n, n));
  auto tcp = filter::BpfProgram::compile("tcp", 1, 65535);
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->match(f.data(), n, n));
  // A filter sees only the captured bytes, like tcpdump on a snaplen-limited capture.
  EXPECT_FALSE(udp->match(f.data(), 4, n));
  auto greater = filter::BpfProgram::compile("greater 1000", 1, 65535);
  EXPECT_TRUE(greater->match(f.data(), 4, 1500));
}

TEST(BpfProgram, EmptyMatchesAllAndRejectAllIsNotAnError) {
  auto all = filter::BpfProgram::compile("  ", 1, 0);
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->matches_all());
  // libpcap refuses "ip" on LINKTYPE_IPV6 with "expression rejects all packets".
  auto none = filter::BpfProgram::compile("ip", 229, 65535);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->matches_none());
}

TEST(BpfProgram, SyntaxErrorCarriesLibpcapsMessage) {
  auto r = filter::validate_bpf("udp and (dst port 30001");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("syntax error"), std::string::npos) << r.error().message();
  auto v = filter::BpfProgram::compile("vlan", 101, 65535);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("VLAN"), std::string::npos) << v.error().message();
}

}  // namespace
}  // namespace pushcap::test
