#include <gtest/gtest.h>

#include <dirent.h>

#include <thread>

#include "capture/parse_util.h"
#include "push/closer.h"
#include "push/target.h"

namespace pushcap::test {
namespace {

std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

push::TargetStats run_target(config::TargetConfig cfg, const Bytes& capture) {
  auto parsed = parse_all(capture);
  auto batch = std::make_shared<capture::Batch>(std::move(parsed->batch));
  push::Closer closer(1u << 20);
  hooks::ScriptPool scripts({});
  push::Target target(std::move(cfg), closer, scripts, {});
  std::thread t([&] { target.run(); });
  target.post(batch);
  target.post_end();
  t.join();
  closer.finish();
  return target.stats();
}

config::TargetConfig time_target(const std::string& dir, std::uint64_t period_ns) {
  config::TargetConfig cfg;
  cfg.desc = "t";
  cfg.prefix = dir + "/";
  cfg.spec.time_ns = period_ns;
  cfg.spec.layout = split::NameLayout::kEpochSec;
  return cfg;
}

TEST(Target, TimeSplitsFilterAndCounters) {
  std::string dir = temp_dir();
  Bytes b = pcap_header(true);
  for (std::uint32_t i = 0; i < 10; ++i) pcap_record(b, 1000 + i / 4, i, 60);  // 4, 4, 2 packets per second
  auto cfg = time_target(dir, 1'000'000'000);
  auto s = run_target(cfg, b);
  EXPECT_EQ(s.seen, 10u);
  EXPECT_EQ(s.accepted, 10u);
  EXPECT_EQ(s.published, 10u);
  EXPECT_EQ(s.splits, 3u);
  EXPECT_FALSE(s.failed);
  EXPECT_EQ(list(dir), (std::vector<std::string>{"1000.pcap", "1001.pcap", "1002.pcap"}));

  std::string dir2 = temp_dir();
  auto filtered = time_target(dir2, 60'000'000'000);
  filtered.filter_bpf = "tcp";  // the records are 0xAB bytes: not an IPv4 frame
  auto f = run_target(filtered, b);
  EXPECT_EQ(f.filtered, 10u);
  EXPECT_EQ(f.splits, 0u);
  EXPECT_TRUE(list(dir2).empty()) << "no empty files";
}

TEST(Target, WatermarkPublishesATimeSplitWithoutALaterPacket) {
  std::string dir = temp_dir();
  Bytes b = pcap_header(true);
  pcap_record(b, 1000, 5, 60);
  auto parsed = parse_all(b);
  auto batch = std::make_shared<capture::Batch>(std::move(parsed->batch));
  push::Closer closer(1u << 20);
  hooks::ScriptPool scripts({});
  push::Target target(time_target(dir, 1'000'000'000), closer, scripts, {});
  std::thread t([&] { target.run(); });
  target.post(batch);
  target.post_watermark(1000'500'000'000ull);  // inside the open split: nothing to publish
  target.post_watermark(1001'000'000'000ull);  // past its end
  for (int i = 0; i < 500 && target.stats().splits == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(target.stats().splits, 1u) << "published before the end of input";
  EXPECT_EQ(list(dir), std::vector<std::string>{"1000.pcap"});
  target.post_end();
  t.join();
  closer.finish();
  EXPECT_EQ(target.stats().splits, 1u);
}

TEST(Target, UnrepresentableTimestampsAreCountedByReason) {
  std::string dir = temp_dir();
  Bytes b = concat({ng_section(), ng_interface(1, 0, 9), ng_packet(0, 5'000'000'000ull, 60),
                    ng_packet(0, (std::uint64_t{1} << 32) * 1'000'000'000ull, 60)});
  auto s = run_target(time_target(dir, 60'000'000'000), b);
  EXPECT_EQ(s.published, 1u);
  EXPECT_EQ(s.dropped[static_cast<std::size_t>(push::DropReason::kTsUnrepresentable)], 1u);
}

TEST(Target, UnwritableDirectoryFailsTheTargetAndCountsEveryPacket) {
  Bytes b = pcap_header();
  for (std::uint32_t i = 0; i < 5; ++i) pcap_record(b, 1000, i, 60);
  auto cfg = time_target("/proc/pushcap-cannot-write-here", 1'000'000'000);
  auto s = run_target(cfg, b);
  EXPECT_TRUE(s.failed);
  EXPECT_EQ(s.dropped[static_cast<std::size_t>(push::DropReason::kWriteFailed)], 5u);
  EXPECT_EQ(s.published, 0u);
}

}  // namespace
}  // namespace pushcap::test
