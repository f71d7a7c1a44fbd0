// The capture's retention thread on a store made by the importer: a pass at start brings the
// store within its size limit, each deletion is said, and stop() ends it promptly.

#include "live/retention_thread.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "store/importer.h"
#include "store/stream_writer.h"
#include "test_util.h"

namespace pushcap::live {
namespace {

namespace fs = std::filesystem;

std::uint64_t segment_bytes(const std::string& store) {
  std::uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(store)) {
    const std::string n = e.path().filename();
    if (n.starts_with("seg_") && n.ends_with(".pcap")) total += fs::file_size(e.path());
  }
  return total;
}

TEST(RetentionThread, APassAtStartBringsTheStoreWithinItsLimitAndSaysEachDeletion) {
  test::TempDir tmp;
  store::ImportOptions o;
  o.store_dir = tmp.path;
  o.name = "hist";
  o.segment_bytes = 1 << 20;
  capture::Input in;
  in.path = std::string(PUSHCAP_TEST_DATA) + "/real/ppp_4KHttpRequests.pcap";
  ASSERT_TRUE(store::import_captures({in, in, in, in, in, in, in, in}, o));
  const std::uint64_t before = segment_bytes(tmp.path);
  ASSERT_GT(before, 3u << 20);

  std::mutex m;
  std::vector<std::string> said;
  store::RetentionLimits limits;
  limits.max_bytes = 2 << 20;
  RetentionThread thread(tmp.path, limits, 3600, [&](const std::string& line) {
    std::lock_guard lock(m);
    said.push_back(line);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (segment_bytes(tmp.path) > limits.max_bytes && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto stop_from = std::chrono::steady_clock::now();
  thread.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_from, std::chrono::seconds(30)) << "not the hour-long period";
  EXPECT_LE(segment_bytes(tmp.path), limits.max_bytes);
  EXPECT_GT(segment_bytes(tmp.path), 0u) << "only what the limit needs is deleted";
  std::lock_guard lock(m);
  ASSERT_FALSE(said.empty());
  for (const auto& line : said) EXPECT_NE(line.find("retention: deleted"), std::string::npos) << line;
}

TEST(RetentionThread, NoLimitNoThread) {
  test::TempDir tmp;
  bool called = false;
  RetentionThread thread(tmp.path, {}, 1, [&](const std::string&) { called = true; });
  thread.stop();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace pushcap::live
