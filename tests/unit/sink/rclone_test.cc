#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>

#include "core/fd.h"
#include "sink/file_hash.h"
#include "sink/rclone.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

using sink::Rclone;
using sink::RcloneOptions;

// rclone itself, through its daemon, on local folders (rclone takes a local path where a
// remote goes): the real program, no server needed.
TEST(Rclone, StatCopyMoveDeleteThroughTheDaemon) {
  const std::string dir = temp_dir();
  const std::string local = dir + "/split.pcap";
  {
    std::ofstream f(local, std::ios::binary);
    for (int i = 0; i < 100000; ++i) f << "packet " << i << '\n';
  }
  std::vector<std::string> log;
  std::mutex log_mutex;
  RcloneOptions o;
  o.config = "/dev/null";
  o.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  Rclone rclone(o);
  ASSERT_TRUE(rclone.start());
  const std::string remote_dir = dir + "/remote/";
  auto none = rclone.stat(remote_dir + "split.pcap");
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_FALSE(*none);

  auto size = static_cast<std::uint64_t>(std::ifstream(local, std::ios::ate | std::ios::binary).tellg());
  ASSERT_TRUE(rclone.copyto(local, remote_dir + ".split.pcap.partial", size));
  auto partial = rclone.stat(remote_dir + ".split.pcap.partial");
  ASSERT_TRUE(partial && *partial);
  EXPECT_EQ((*partial)->size, size);
  auto md5 = sink::md5_file(local);
  ASSERT_TRUE(md5);
  EXPECT_EQ((*partial)->md5, *md5);

  ASSERT_TRUE(rclone.moveto(remote_dir + ".split.pcap.partial", remote_dir + "split.pcap", size));
  EXPECT_EQ(::access((remote_dir + ".split.pcap.partial").c_str(), F_OK), -1);
  auto moved = rclone.stat(remote_dir + "split.pcap", false);
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->size, size);
  EXPECT_EQ((*moved)->md5, "");  // not asked for

  ASSERT_TRUE(rclone.deletefile(remote_dir + "split.pcap"));
  auto gone = rclone.deletefile(remote_dir + "split.pcap");
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().message().find("rclone deletefile " + remote_dir + "split.pcap failed (HTTP status 404)"),
            std::string::npos)
      << gone.error().message();

  // A folder where an object is expected is no object.
  auto folder = rclone.stat(dir + "/remote");
  ASSERT_TRUE(folder);
  EXPECT_FALSE(*folder);
  std::lock_guard lock(log_mutex);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("rclone rcd (pid "), std::string::npos);
}

TEST(Rclone, AnUnknownRemoteIsAFailedStepNamingIt) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/rclone.conf") << "[here]\ntype = local\n";
  RcloneOptions o;
  o.config = dir + "/rclone.conf";
  Rclone rclone(o);
  auto r = rclone.stat("nowhere:bucket/a.pcap");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("rclone stat nowhere:bucket/a.pcap failed (HTTP status 500)"), std::string::npos)
      << r.error().message();
  auto ok = rclone.stat("here:" + dir + "/a.pcap");
  ASSERT_TRUE(ok) << ok.error().message();
}

TEST(Rclone, ABadFlagIsReportedOnceTheDaemonExits) {
  std::atomic<int> reported{0};
  std::string why;
  std::mutex m;
  RcloneOptions o;
  o.config = "/dev/null";
  o.extra_flags = {"--no-such-flag"};
  o.cannot_start = [&](const std::string& w) {
    std::lock_guard lock(m);
    why = w;
    reported.fetch_add(1);
  };
  Rclone rclone(o);
  ASSERT_TRUE(rclone.start());  // started, not yet answered
  auto r = rclone.stat("/tmp/x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("rclone rcd did not start (exit status 1)"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("unknown flag: --no-such-flag"), std::string::npos) << r.error().message();
  EXPECT_GE(reported.load(), 1);
  std::lock_guard lock(m);
  EXPECT_NE(why.find("--no-such-flag"), std::string::npos);
}

TEST(Rclone, AMissingProgramFailsAtStart) {
  RcloneOptions o;
  o.binary = "pushcap-no-such-rclone";
  Rclone rclone(o);
  auto r = rclone.start();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("cannot run pushcap-no-such-rclone"), std::string::npos);
}

TEST(Rclone, SplitRemote) {
  EXPECT_EQ(sink::split_remote("s3:bucket/dir/a.pcap"),
            std::make_pair(std::string("s3:bucket/dir/"), std::string("a.pcap")));
  EXPECT_EQ(sink::split_remote("sf:a.pcap"), std::make_pair(std::string("sf:"), std::string("a.pcap")));
  EXPECT_TRUE(sink::is_remote_path("s3:bucket"));
  EXPECT_FALSE(sink::is_remote_path("/data/a:b"));
}

}  // namespace
}  // namespace pushcap::test
