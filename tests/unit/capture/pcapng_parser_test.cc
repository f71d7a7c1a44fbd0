#include <gtest/gtest.h>

#include "capture/parse_util.h"

namespace pushcap::test {
namespace {

TEST(PcapngParser, ReadsInterfacesWithTheirOwnLinkTypeAndResolution) {
  Bytes b = concat({ng_section(), ng_interface(1, 0), ng_interface(113, 128, 9), ng_packet(0, 1616334655123456ull, 60),
                    ng_packet(1, 1616334655123456789ull, 70)});
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error) << p->result.error->message();
  ASSERT_EQ(p->batch.records.size(), 2u);
  const auto& f = *p->batch.formats;
  EXPECT_EQ(p->batch.records[0].ts_ns, 1616334655123456000ull);
  EXPECT_EQ(f[p->batch.records[0].format].linktype, 1u);
  EXPECT_EQ(f[p->batch.records[0].format].resolution, capture::TsResolution::kMicro);
  EXPECT_EQ(p->batch.records[1].ts_ns, 1616334655123456789ull);
  EXPECT_EQ(f[p->batch.records[1].format].linktype, 113u);
  EXPECT_EQ(f[p->batch.records[1].format].resolution, capture::TsResolution::kNano);
  EXPECT_EQ(p->batch.records[1].interface, 1u);
  EXPECT_EQ(p->batch.records[1].caplen, 70u);
}

TEST(PcapngParser, PowerOfTwoResolution) {
  // 2^-10 s units: 1024 units are one second.
  Bytes b = concat({ng_section(), ng_interface(1, 0, 0x80 | 10), ng_packet(0, 1024ull * 5 + 512, 60)});
  auto p = parse_all(b);
  ASSERT_EQ(p->batch.records.size(), 1u);
  EXPECT_EQ(p->batch.records[0].ts_ns, 5'500'000'000ull);
}

TEST(PcapngParser, ByteOrderChangesBetweenSectionsAndInterfacesReset) {
  Bytes b = concat({ng_section(false), ng_interface(1, 0), ng_packet(0, 1'000'000, 60), ng_section(true),
                    ng_interface(101, 0, -1, true), ng_packet(0, 2'000'000, 40, 0x11, true)});
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error) << p->result.error->message();
  ASSERT_EQ(p->batch.records.size(), 2u);
  EXPECT_EQ((*p->batch.formats)[p->batch.records[1].format].linktype, 101u);
  EXPECT_EQ(p->batch.records[1].ts_ns, 2'000'000'000ull);
  EXPECT_EQ(p->batch.records[1].caplen, 40u);
}

TEST(PcapngParser, SimplePacketBlockInheritsTheLastTimestampAndSnaplen) {
  Bytes b = concat({ng_section(), ng_interface(1, 32), ng_packet(0, 7'000'000, 20), ng_simple(100)});
  auto p = parse_all(b);
  ASSERT_EQ(p->batch.records.size(), 2u);
  EXPECT_EQ(p->batch.records[1].ts_ns, 7'000'000'000ull);
  EXPECT_EQ(p->batch.records[1].caplen, 32u);
  EXPECT_EQ(p->batch.records[1].wirelen, 100u);
  EXPECT_TRUE(p->batch.records[1].flags & capture::kNoTimestamp);
}

TEST(PcapngParser, UnknownAndCustomBlocksAreSkipped) {
  Bytes custom;
  put32(custom, 32473);  // PEN
  custom.insert(custom.end(), 8, 0x55);
  Bytes b = concat({ng_section(), ng_block(0x00000BAD, custom), ng_interface(1, 0), ng_block(0x12345678, Bytes(16, 0)),
                    ng_block(5, Bytes(12, 0)), ng_packet(0, 1, 60)});
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error);
  EXPECT_EQ(p->batch.records.size(), 1u);
}

TEST(PcapngParser, TimestampThatOverflowsNanosecondsIsFlagged) {
  Bytes b = concat({ng_section(), ng_interface(1, 0), ng_packet(0, 0xFFFFFFFFFFFF0000ull, 60)});
  auto p = parse_all(b);
  ASSERT_EQ(p->batch.records.size(), 1u);
  EXPECT_TRUE(p->batch.records[0].flags & capture::kTsOverflow);
}

TEST(PcapngParser, DamageIsReportedWithItsOffset) {
  Bytes good = concat({ng_section(), ng_interface(1, 0), ng_packet(0, 1, 60)});
  {
    Bytes b = good;
    Bytes bad = ng_packet(0, 2, 60);
    bad[bad.size() - 4] ^= 1;  // trailer length differs
    b.insert(b.end(), bad.begin(), bad.end());
    auto p = parse_all(b);
    ASSERT_TRUE(p->result.error);
    EXPECT_EQ(p->batch.records.size(), 1u);
    EXPECT_NE(p->result.error->message().find("don't match"), std::string::npos);
  }
  {
    Bytes b = good;
    put32(b, 6);
    put32(b, 0x7FFFFFF0);  // absurd block length: refused before any allocation
    put32(b, 0);
    auto p = parse_all(b, false);
    ASSERT_TRUE(p->result.error);
    EXPECT_NE(p->result.error->message().find("byte offset " + std::to_string(good.size() + 4)), std::string::npos)
        << p->result.error->message();
  }
  {
    Bytes b = concat({good, ng_packet(3, 2, 60)});
    auto p = parse_all(b);
    ASSERT_TRUE(p->result.error);
    EXPECT_NE(p->result.error->message().find("interface 3"), std::string::npos);
  }
  {
    Bytes b = concat({ng_section(true, 1, 1)});
    auto p = parse_all(b);
    ASSERT_TRUE(p->result.error);
    EXPECT_NE(p->result.error->message().find("unsupported pcapng version 1.1"), std::string::npos);
  }
}

TEST(PcapngParser, HostileInterfaceBlocksAreBounded) {
  Bytes distinct = ng_section();
  for (std::uint32_t i = 0; i < 1100; ++i) {
    Bytes idb = ng_interface(1, 100 + i);
    distinct.insert(distinct.end(), idb.begin(), idb.end());
  }
  auto p = parse_all(distinct);
  ASSERT_TRUE(p->result.error);
  EXPECT_NE(p->result.error->message().find("more than 1024 distinct link formats"), std::string::npos);

  Bytes same = ng_section();
  Bytes idb = ng_interface(1, 0);
  for (std::uint32_t i = 0; i < 65537; ++i) same.insert(same.end(), idb.begin(), idb.end());
  auto q = parse_all(same);
  ASSERT_TRUE(q->result.error);
  EXPECT_NE(q->result.error->message().find("more than 65536 interfaces"), std::string::npos);
}

TEST(PcapngParser, EveryTruncationPointIsDamageOrABlockBoundary) {
  Bytes full = concat({ng_section(), ng_interface(1, 0, 9), ng_packet(0, 5, 33), ng_packet(0, 6, 41)});
  std::size_t boundaries[] = {0, 28, 28 + 32, 28 + 32 + 68, full.size()};
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    Bytes b(full.begin(), full.begin() + static_cast<long>(cut));
    auto p = parse_all(b, true, capture::CaptureKind::kPcapng);
    bool on_boundary = std::find(std::begin(boundaries), std::end(boundaries), cut) != std::end(boundaries);
    EXPECT_EQ(static_cast<bool>(p->result.error), !on_boundary) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace pushcap::test
