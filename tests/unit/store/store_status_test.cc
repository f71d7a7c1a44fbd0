// What `pushcap status` reads about a store, on a store made by the importer from a real capture;
// the segment files are counted and measured here with std::filesystem, not with the store's code.

#include "store/store_status.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/importer.h"
#include "store/store_layout.h"
#include "test_util.h"

namespace pushcap::store {
namespace {

namespace fs = std::filesystem;

std::string import_http(const std::string& store) {
  ImportOptions o;
  o.store_dir = store;
  o.name = "hist";
  o.segment_bytes = 1 << 20;  // the smallest: 5 copies of the 450 KB capture take 3 segments
  capture::Input in;
  in.path = std::string(PUSHCAP_TEST_DATA) + "/real/ppp_4KHttpRequests.pcap";
  auto r = import_captures({in, in, in, in, in}, o);
  EXPECT_TRUE(r) << r.error().message();
  return r ? r->stream : "";
}

TEST(StoreStatus, AnImportedStreamIsEndedWithItsSegmentsAndBytes) {
  test::TempDir tmp;
  const std::string stream = import_http(tmp.path);
  std::uint64_t segs = 0, bytes = 0;
  for (const auto& e : fs::directory_iterator(tmp / stream)) {
    const std::string n = e.path().filename();
    if (n.starts_with("seg_") && n.ends_with(".pcap")) {
      ++segs;
      bytes += fs::file_size(e.path());
    }
  }
  ASSERT_GT(segs, 1u) << "1 MiB segments";
  auto st = read_store_status(tmp.path);
  ASSERT_TRUE(st) << st.error().message();
  ASSERT_EQ(st->streams.size(), 1u);
  const StreamStatus& s = st->streams[0];
  EXPECT_EQ(s.name, stream);
  EXPECT_EQ(s.state, StreamState::kEnded);
  EXPECT_STREQ(stream_state_name(s.state), "ended");
  EXPECT_EQ(s.segments, segs);
  EXPECT_EQ(s.bytes_on_disk, bytes);
  EXPECT_EQ(st->segments, segs);
  EXPECT_EQ(st->bytes_on_disk, bytes);
  EXPECT_TRUE(s.problems.empty());
}

TEST(StoreStatus, ADamagedDescriptionIsAProblemNamingTheFileNotAFailure) {
  test::TempDir tmp;
  const std::string stream = import_http(tmp.path);
  std::ofstream(tmp / stream + "/" + kStreamMetaFile, std::ios::trunc) << "{\"capture\": ";
  auto st = read_store_status(tmp.path);
  ASSERT_TRUE(st) << "one damaged stream does not hide the others";
  ASSERT_EQ(st->streams.size(), 1u);
  ASSERT_FALSE(st->streams[0].problems.empty());
  EXPECT_NE(st->streams[0].problems[0].find(kStreamMetaFile), std::string::npos) << st->streams[0].problems[0];
}

TEST(StoreStatus, AMissingStoreIsAnError) {
  test::TempDir tmp;
  auto st = read_store_status(tmp / "nosuch");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("nosuch"), std::string::npos);
}

}  // namespace
}  // namespace pushcap::store
