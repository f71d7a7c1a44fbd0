#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "core/fd.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

TEST(Fd, RenameNoReplaceRefusesAnExistingName) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/a") << "new";
  std::ofstream(dir + "/b") << "old";
  auto r = rename_no_replace(dir + "/a", dir + "/b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::kExists);
  std::string content;
  std::ifstream(dir + "/b") >> content;
  EXPECT_EQ(content, "old");
  ASSERT_TRUE(rename_no_replace(dir + "/a", dir + "/c"));
  EXPECT_NE(::access((dir + "/c").c_str(), F_OK), -1);
  EXPECT_EQ(::access((dir + "/a").c_str(), F_OK), -1);
}

TEST(Fd, WriteAllReportsThePathAndErrno) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  Fd w(fds[1]);
  signal(SIGPIPE, SIG_IGN);
  auto r = write_all(w.get(), "x", 1, "the-pipe");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("the-pipe: write: Broken pipe"), std::string::npos);
}

TEST(Fd, MakeDirsAndDirName) {
  std::string dir = temp_dir();
  ASSERT_TRUE(make_dirs(dir + "/x/y/z"));
  EXPECT_TRUE(make_dirs(dir + "/x/y/z"));
  EXPECT_EQ(dir_name("a/b/c.pcap"), "a/b");
  EXPECT_EQ(dir_name("c.pcap"), ".");
  EXPECT_EQ(dir_name("/c.pcap"), "/");
  std::ofstream(dir + "/file") << "x";
  EXPECT_FALSE(make_dirs(dir + "/file"));
}

TEST(Fd, OpenMissingFileNamesIt) {
  auto r = open_file("/nonexistent/dir/f", O_RDONLY);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/nonexistent/dir/f"), std::string::npos);
}

}  // namespace
}  // namespace pushcap::test
