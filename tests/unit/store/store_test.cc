// The capture store's parts on files made here: stream names, the watermark's two slots, a
// segment's index, recovery's cut of a torn tail, retention, and the size and age arguments.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/fd.h"
#include "store/recovery.h"
#include "store/retention.h"
#include "store/segment_writer.h"
#include "store/store_layout.h"
#include "store/stream_meta.h"
#include "store/watermark_file.h"
#include "test_util.h"

namespace pushcap::store {
namespace {

using test::Bytes;

// n classic pcap records (ns) of `len` bytes, the first at `sec`, one ms apart.
Bytes records(int n, std::uint32_t sec, std::uint32_t len = 100) {
  Bytes b;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t ns = static_cast<std::uint64_t>(i) * 1'000'000u;
    test::pcap_record(b, sec + static_cast<std::uint32_t>(ns / 1'000'000'000u),
                      static_cast<std::uint32_t>(ns % 1'000'000'000u), len);
  }
  return b;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST(StreamName, MakeAndParse) {
  // 2024-07-28 04:05:30 UTC
  StreamName n = make_stream_name("opra_port0", 1722139530LL * 1'000'000'000);
  EXPECT_EQ(n.text(), "opra_port0_20240728_0405");
  auto p = parse_stream_name("opra_port0_20240728_0405");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->capture, "opra_port0");
  EXPECT_EQ(p->stamp, "20240728_0405");
  EXPECT_EQ(p->serial, 0u);
  auto s = parse_stream_name("eth1_20240728_0405_3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->capture, "eth1");
  EXPECT_EQ(s->serial, 3u);
  EXPECT_TRUE(*p < *parse_stream_name("a_20240728_0406"));
  EXPECT_TRUE(*parse_stream_name("x_20240728_0405_2") < *parse_stream_name("x_20240728_0405_10"));
  for (const char* bad : {"", "_20240728_0405", "eth1_2024072_0405", "eth1_20240728-0405", "20240728_0405",
                          ".x_20240728_0405", "a b_20240728_0405"}) {
    EXPECT_FALSE(parse_stream_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_capture_name("1234"));
  EXPECT_FALSE(valid_capture_name(std::string(65, 'a')));
  EXPECT_TRUE(valid_capture_name("eth1.100"));
}

TEST_F(StoreTest, WatermarkKeepsTheNewestWholeSlot) {
  const std::string path = dir_ + "/watermark";
  auto w = WatermarkWriter::create(path);
  ASSERT_TRUE(w);
  auto none = read_watermark(path);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "created, never published";
  Watermark a;
  a.ts_ns = 100;
  a.segment = 1;
  a.segment_bytes = 24;
  ASSERT_TRUE(w->publish(a));
  Watermark b = a;
  b.ts_ns = 200;
  b.segment_bytes = 500;
  b.kernel_drops = 7;
  ASSERT_TRUE(w->publish(b));
  auto got = read_watermark(path);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->ts_ns, 200u);
  EXPECT_EQ((*got)->segment_bytes, 500u);
  EXPECT_EQ((*got)->kernel_drops, 7u);
  EXPECT_EQ((*got)->seq, 2u);
  // A torn write of the newest slot: the older one is read.
  Fd fd = std::move(*open_file(path, O_WRONLY));
  const std::uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_EQ(::pwrite(fd.get(), junk, sizeof junk, 0 + 40), 8);  // seq 2 lives in slot 0
  got = read_watermark(path);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->ts_ns, 100u);
  // A writer reopened after a crash continues the sequence.
  auto again = WatermarkWriter::open_existing(path);
  ASSERT_TRUE(again);
  Watermark c = a;
  c.ts_ns = 300;
  c.ended = true;
  ASSERT_TRUE(again->publish(c));
  got = read_watermark(path);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->ts_ns, 300u);
  EXPECT_TRUE((*got)->ended);
}

TEST_F(StoreTest, SegmentIndexFindsATimeWithoutScanning) {
  auto seg = SegmentWriter::create(dir_, 7, 1, 262144);
  ASSERT_TRUE(seg);
  const int n = 10000;
  Bytes recs = records(n, 1000, 60);
  ASSERT_TRUE(seg->append(recs.data(), recs.size()));
  auto idx = seg->finish(Drops{3, 1, 2});
  ASSERT_TRUE(idx);
  EXPECT_EQ(idx->packets, static_cast<std::uint64_t>(n));
  EXPECT_EQ(idx->first_ts, 1000'000'000'000u);
  EXPECT_EQ(idx->last_ts, 1000'000'000'000u + static_cast<std::uint64_t>(n - 1) * 1'000'000u);
  EXPECT_EQ(idx->points.size(), 3u);  // records 0, 4096, 8192
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/seg_0000000000000007.pcap"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.seg_0000000000000007.pcap.part"));
  auto back = read_index(dir_, 7);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->packets, idx->packets);
  EXPECT_EQ(back->drops.kernel, 3u);
  EXPECT_EQ(back->drops.overflow, 2u);
  // Record 5000's time: reading starts at the point of record 4096, whose offset is exact.
  const std::uint64_t ts5000 = 1000'000'000'000ull + 5000ull * 1'000'000ull;
  const std::uint64_t off = back->offset_for(ts5000);
  EXPECT_EQ(off, 24u + 4096u * (16u + 60u));
  EXPECT_EQ(back->offset_for(0), 24u);
  auto wrong = read_index(dir_, 8);
  EXPECT_FALSE(wrong);
}

TEST_F(StoreTest, RecoveryCutsATornOrZeroFilledTail) {
  const std::string path = dir_ + "/.seg_0000000000000001.pcap.part";
  Bytes file = test::pcap_header(true, false, 262144);
  Bytes three = records(3, 2000, 100);
  file.insert(file.end(), three.begin(), three.end());
  Bytes torn = records(1, 2001, 100);
  torn.resize(50);  // half a record
  Bytes a = file;
  a.insert(a.end(), torn.begin(), torn.end());
  { std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(a.data()), static_cast<long>(a.size())); }
  auto cut = cut_torn_tail(path, 262144);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->packets, 3u);
  EXPECT_EQ(cut->cut_bytes, 50u);
  EXPECT_EQ(cut->index.packets, 3u);
  EXPECT_EQ(cut->index.first_ts, 2000ull * 1'000'000'000);
  EXPECT_EQ(cut->index.file_bytes, file.size());
  EXPECT_EQ(std::filesystem::file_size(path), file.size());
  // A tail of zeros (blocks allocated, never written before a power cut) is not records.
  Bytes z = file;
  z.insert(z.end(), 4096, 0);
  { std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(z.data()), static_cast<long>(z.size())); }
  cut = cut_torn_tail(path, 262144);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->packets, 3u);
  EXPECT_EQ(cut->cut_bytes, 4096u);
}

TEST_F(StoreTest, RetentionDeletesTheOldestCompleteSegmentsFirst) {
  // Two ended streams of three 1 KiB-ish segments each.
  std::uint64_t ts = 1000;
  for (const char* name : {"cap_20240101_0000", "cap_20240101_0100"}) {
    const std::string dir = dir_ + "/" + name;
    std::filesystem::create_directories(dir);
    StreamMeta m;
    m.name = name;
    m.linktype = 1;
    m.snaplen = 262144;
    m.end = "clean";
    ASSERT_TRUE(write_stream_meta(dir, m));
    for (std::uint64_t s = 1; s <= 3; ++s) {
      auto seg = SegmentWriter::create(dir, s, 1, 262144);
      ASSERT_TRUE(seg);
      Bytes r = records(10, static_cast<std::uint32_t>(ts++), 84);
      ASSERT_TRUE(seg->append(r.data(), r.size()));
      ASSERT_TRUE(seg->finish({}));
    }
  }
  const std::uint64_t seg_bytes = 24 + 10 * 100;
  RetentionLimits limits;
  limits.max_bytes = 4 * seg_bytes;
  auto pass = apply_retention(dir_, limits, 0);
  ASSERT_TRUE(pass);
  ASSERT_EQ(pass->deleted.size(), 2u);
  EXPECT_EQ(pass->deleted[0].stream, "cap_20240101_0000");
  EXPECT_EQ(pass->deleted[0].seq, 1u);
  EXPECT_EQ(pass->deleted[1].seq, 2u);
  EXPECT_EQ(pass->store_bytes, 4 * seg_bytes);
  // Age: everything older than 1002 s + 1 h at "now" goes; the first stream empties and goes.
  limits.max_bytes = 0;
  limits.max_age_ns = 3600ull * 1'000'000'000;
  pass = apply_retention(dir_, limits, (1002ull + 3600) * 1'000'000'000 + 1'000'000'000);
  ASSERT_TRUE(pass);
  ASSERT_EQ(pass->deleted.size(), 1u);
  EXPECT_TRUE(pass->deleted[0].for_age);
  ASSERT_EQ(pass->removed_streams.size(), 1u);
  EXPECT_EQ(pass->removed_streams[0], "cap_20240101_0000");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/cap_20240101_0000"));
}

TEST(RetentionArgs, SizesAndDurations) {
  EXPECT_EQ(*parse_size("500G"), 500ull << 30);
  EXPECT_EQ(*parse_size("1.5T"), 3ull << 39);
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("100MB"), 100ull << 20);
  EXPECT_FALSE(parse_size("10X"));
  EXPECT_FALSE(parse_size("-1G"));
  EXPECT_FALSE(parse_size(""));
  EXPECT_EQ(*parse_duration_ns("7d"), 7ull * 86400 * 1'000'000'000);
  EXPECT_EQ(*parse_duration_ns("90s"), 90ull * 1'000'000'000);
  EXPECT_EQ(*parse_duration_ns("1.5h"), 5400ull * 1'000'000'000);
  EXPECT_FALSE(parse_duration_ns("7"));
  EXPECT_FALSE(parse_duration_ns("7y"));
}

}  // namespace
}  // namespace pushcap::store
