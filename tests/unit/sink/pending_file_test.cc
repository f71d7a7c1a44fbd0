#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "core/fd.h"
#include "sink/pending_file.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

bool exists(const std::string& p) {
  return ::access(p.c_str(), F_OK) == 0;
}

TEST(PendingFile, WritesPendingThenPublishesWithoutReplacing) {
  std::string dir = temp_dir() + "/sub/dir";
  auto name = [&](unsigned serial) {
    return dir + "/x" + (serial ? "_" + std::to_string(serial) : std::string()) + ".pcap";
  };
  auto f = sink::PendingFile::create(name);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->path(), dir + "/x.pcap.pending");
  ASSERT_TRUE(write_all(f->fd(), "abc", 3, "t"));
  // An earlier run's file is never overwritten.
  std::ofstream(dir + "/x.pcap") << "earlier";
  auto g = sink::PendingFile::create(name);  // x.pcap and x.pcap.pending are taken: x_1
  ASSERT_TRUE(g);
  EXPECT_EQ(g->path(), dir + "/x_1.pcap.pending");
  auto final1 = f->finalize(name, std::nullopt);  // x.pcap is taken: the first free name
  ASSERT_TRUE(final1) << final1.error().message();
  EXPECT_EQ(*final1, dir + "/x_1.pcap");
  auto final2 = g->finalize(name, std::nullopt);
  ASSERT_TRUE(final2);
  EXPECT_EQ(*final2, dir + "/x_2.pcap");
  std::string earlier;
  std::ifstream(dir + "/x.pcap") >> earlier;
  EXPECT_EQ(earlier, "earlier");
  EXPECT_FALSE(exists(dir + "/x.pcap.pending"));
  EXPECT_FALSE(exists(dir + "/x_1.pcap.pending"));
}

TEST(PendingFile, AbandonKeepsTheBytesUnderAFailedName) {
  std::string dir = temp_dir();
  auto name = [&](unsigned serial) { return dir + "/y" + std::to_string(serial) + ".pcap"; };
  auto f = sink::PendingFile::create(name);
  ASSERT_TRUE(f);
  std::string kept = f->abandon();
  EXPECT_EQ(kept, dir + "/y0.pcap.failed");
  EXPECT_TRUE(exists(kept));
  EXPECT_FALSE(exists(dir + "/y0.pcap"));
}

}  // namespace
}  // namespace pushcap::test
