#include <gtest/gtest.h>

#include "capture/parse_util.h"
#include "core/endian.h"

namespace pushcap::test {
namespace {

TEST(PcapParser, ReadsMicrosecondRecords) {
  Bytes b = pcap_header();
  pcap_record(b, 1616334655, 123456, 60);
  pcap_record(b, 1616334656, 999999, 1514);
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error);
  ASSERT_EQ(p->batch.records.size(), 2u);
  EXPECT_EQ(p->batch.records[0].ts_ns, 1616334655123456000ull);
  EXPECT_EQ(p->batch.records[0].caplen, 60u);
  EXPECT_EQ(p->batch.records[0].offset, 24u + 16u);
  EXPECT_EQ(p->batch.records[1].ts_ns, 1616334656999999000ull);
  EXPECT_EQ(p->result.consumed, b.size());
  const auto& f = (*p->batch.formats)[p->batch.records[0].format];
  EXPECT_EQ(f.linktype, 1u);
  EXPECT_EQ(f.snaplen, 65535u);
  EXPECT_EQ(f.resolution, capture::TsResolution::kMicro);
}

TEST(PcapParser, ReadsNanosecondBigEndianAndRewritesHeadersLittleEndian) {
  Bytes b = pcap_header(true, true);
  pcap_record(b, 1616334655, 123456789, 60, 0xAB, true);
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error);
  ASSERT_EQ(p->batch.records.size(), 1u);
  const auto& r = p->batch.records[0];
  EXPECT_EQ(r.ts_ns, 1616334655123456789ull);
  EXPECT_EQ((*p->batch.formats)[r.format].resolution, capture::TsResolution::kNano);
  ASSERT_TRUE(r.flags & capture::kHasPcapHeader);
  const std::uint8_t* h = p->batch.data.get() + r.offset - 16;
  EXPECT_EQ(load_le<std::uint32_t>(h), 1616334655u);
  EXPECT_EQ(load_le<std::uint32_t>(h + 4), 123456789u);
  EXPECT_EQ(load_le<std::uint32_t>(h + 8), 60u);
}

TEST(PcapParser, FractionOfOneSecondOrMoreIsSummedAsTheRawFieldsSay) {
  Bytes b = pcap_header(true);
  pcap_record(b, 10, 1'000'000'000u, 4);
  auto p = parse_all(b);
  ASSERT_EQ(p->batch.records.size(), 1u);
  EXPECT_EQ(p->batch.records[0].ts_ns, 11'000'000'000ull);
}

TEST(PcapParser, EveryTruncationPointIsDamageAfterTheWholeRecords) {
  Bytes full = pcap_header();
  pcap_record(full, 1, 0, 40);
  pcap_record(full, 2, 0, 40);
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    Bytes b(full.begin(), full.begin() + static_cast<long>(cut));
    auto p = parse_all(b);
    std::size_t whole = cut >= 24 + 56 + 56 ? 2 : cut >= 24 + 56 ? 1 : 0;
    EXPECT_EQ(p->batch.records.size(), whole) << "cut at " << cut;
    bool boundary = cut == 24 + 56 || cut == 24;
    if (boundary) {
      EXPECT_FALSE(p->result.error) << "cut at " << cut;
    } else {
      ASSERT_TRUE(p->result.error) << "cut at " << cut;
      EXPECT_NE(p->result.error->message().find("byte offset"), std::string::npos);
    }
  }
}

TEST(PcapParser, WithoutEofAnIncompleteRecordAsksForItsSize) {
  Bytes b = pcap_header();
  pcap_record(b, 1, 0, 100);
  b.resize(b.size() - 10);
  auto p = parse_all(b, false);
  EXPECT_FALSE(p->result.error);
  EXPECT_EQ(p->result.consumed, 24u);
  EXPECT_EQ(p->result.next_need, 116u);
}

TEST(PcapParser, AbsurdCaptureLengthIsDamageNotAnAllocation) {
  Bytes b = pcap_header();
  pcap_record(b, 1, 0, 8);
  put32(b, 2);
  put32(b, 0);
  put32(b, 0xCAB3B0C7u);
  put32(b, 60);
  auto p = parse_all(b, false);
  ASSERT_TRUE(p->result.error);
  EXPECT_EQ(p->batch.records.size(), 1u);
  EXPECT_NE(p->result.error->message().find("byte offset 48"), std::string::npos) << p->result.error->message();
  EXPECT_NE(p->result.error->message().find(std::to_string(0xCAB3B0C7u)), std::string::npos);
}

TEST(PcapParser, CaplenAboveSnaplenButWithinLibpcapMaximumIsRead) {
  Bytes b = pcap_header(false, false, 4);
  pcap_record(b, 1, 0, 60);
  auto p = parse_all(b);
  ASSERT_FALSE(p->result.error);
  EXPECT_EQ(p->batch.records[0].caplen, 60u);
}

TEST(PcapParser, RejectsUnsupportedVersionsAndReservedLinkTypeBits) {
  Bytes v = pcap_header();
  v[4] = 1;  // version 1.4
  auto p = parse_all(v);
  ASSERT_TRUE(p->result.error);
  EXPECT_NE(p->result.error->message().find("unsupported pcap version 1.4"), std::string::npos);
  Bytes r = pcap_header(false, false, 65535, 0x00300001);
  auto q = parse_all(r);
  ASSERT_TRUE(q->result.error);
  EXPECT_NE(q->result.error->message().find("reserved bits"), std::string::npos);
}

TEST(PcapParser, DetectsKindFromMagicOnly) {
  Bytes b = pcap_header(true, true);
  EXPECT_EQ(capture::detect_kind(b.data(), b.size()), capture::CaptureKind::kPcap);
  Bytes ng = ng_section();
  EXPECT_EQ(capture::detect_kind(ng.data(), ng.size()), capture::CaptureKind::kPcapng);
  Bytes junk = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(capture::detect_kind(junk.data(), junk.size()), capture::CaptureKind::kUnknown);
  EXPECT_EQ(capture::detect_kind(junk.data(), 3), capture::CaptureKind::kUnknown);
}

}  // namespace
}  // namespace pushcap::test
