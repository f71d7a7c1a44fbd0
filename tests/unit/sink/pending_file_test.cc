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

TEST(PendingFile, OnlyAnOrphanNoLiveWriterHoldsIsRemoved) {
  std::string dir = temp_dir();
  auto name = [&](unsigned serial) { return dir + "/z" + std::to_string(serial) + ".pcap"; };
  auto f = sink::PendingFile::create(name);
  ASSERT_TRUE(f);
  const std::string path = f->path();
  EXPECT_FALSE(sink::remove_orphan(path)) << "its writer holds it";
  EXPECT_TRUE(exists(path));
  // Moved, as the closer does: the lock goes with it until the rename.
  sink::PendingFile moved = std::move(*f);
  EXPECT_FALSE(sink::remove_orphan(path));
  // A file left by a writer that died holds no lock.
  std::ofstream(dir + "/dead.pcap.pending") << "partial";
  EXPECT_TRUE(sink::remove_orphan(dir + "/dead.pcap.pending"));
  EXPECT_FALSE(exists(dir + "/dead.pcap.pending"));
  // A link is never followed nor removed.
  std::ofstream(dir + "/victim") << "keep";
  ASSERT_EQ(::symlink((dir + "/victim").c_str(), (dir + "/link.pcap.pending").c_str()), 0);
  EXPECT_FALSE(sink::remove_orphan(dir + "/link.pcap.pending"));
  EXPECT_TRUE(exists(dir + "/victim"));
  // Published: nothing pending is left, and discard() after it removes nothing.
  auto published = moved.finalize(name, std::nullopt);
  ASSERT_TRUE(published);
  moved.discard();
  EXPECT_TRUE(exists(*published));
}

TEST(PendingFile, DiscardRemovesTheFile) {
  std::string dir = temp_dir();
  auto f = sink::PendingFile::create([&](unsigned serial) { return dir + "/d" + std::to_string(serial) + ".pcap"; });
  ASSERT_TRUE(f);
  const std::string path = f->path();
  f->discard();
  EXPECT_FALSE(exists(path));
  EXPECT_FALSE(exists(dir + "/d0.pcap"));
  EXPECT_FALSE(exists(dir + "/d0.pcap.failed"));
}

}  // namespace
}  // namespace pushcap::test
