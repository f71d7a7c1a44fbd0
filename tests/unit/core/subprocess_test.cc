#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <thread>

#include "core/subprocess.h"

namespace pushcap::test {
namespace {

using std::chrono::milliseconds;

SpawnOptions command(std::vector<std::string> argv) {
  SpawnOptions o;
  o.argv = std::move(argv);
  return o;
}

TEST(Subprocess, ReportsExitCodesSignalsAndDeadlines) {
  auto r = run_command(command({"sh", "-c", "echo out; echo err >&2; exit 3"}), milliseconds(5000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status.code, 3);
  EXPECT_EQ(r->status.describe(), "exit status 3");
  EXPECT_EQ(r->output, "out\nerr\n");

  r = run_command(command({"sh", "-c", "kill -KILL $$"}), milliseconds(5000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status.signal, SIGKILL);
  EXPECT_FALSE(r->status.ok());

  auto t0 = std::chrono::steady_clock::now();
  r = run_command(command({"sleep", "30"}), milliseconds(200));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->status.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(Subprocess, MissingProgramIsAnErrorEitherWay) {
  for (bool fork_path : {false, true}) {
    SpawnOptions o = command({"pushcap-no-such-program"});
    o.die_with_parent = fork_path;
    auto c = Child::spawn(o);
    ASSERT_FALSE(c) << fork_path;
    EXPECT_NE(c.error().message().find("cannot run pushcap-no-such-program"), std::string::npos);
  }
}

TEST(Subprocess, EnvironmentIsEditedPerChild) {
  ::setenv("PUSHCAP_TEST_GONE", "1", 1);
  for (bool fork_path : {false, true}) {
    SpawnOptions o = command({"sh", "-c", "echo \"${PUSHCAP_TEST_GONE:-unset} $PUSHCAP_TEST_NEW\""});
    o.env_set = {"PUSHCAP_TEST_NEW=yes"};
    o.env_unset = {"PUSHCAP_TEST_GONE"};
    o.die_with_parent = fork_path;
    auto c = Child::spawn(o);
    ASSERT_TRUE(c);
    std::string out;
    auto s = c->wait(milliseconds(5000), [&](std::string_view chunk) { out += chunk; });
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(out, "unset yes\n") << fork_path;
  }
}

TEST(Subprocess, DieWithParentEndsTheChildWithItsThread) {
  // The thread that starts the child ends: the child gets SIGKILL (PR_SET_PDEATHSIG), as it
  // would when pushcap itself is killed.
  std::optional<Child> child;
  std::thread([&] {
    SpawnOptions o = command({"sh", "-c", "echo started; exec sleep 30"});
    o.die_with_parent = true;
    auto c = Child::spawn(o);
    ASSERT_TRUE(c);
    // The thread ends only once the child runs its program (past its prctl call).
    char buf[16];
    ASSERT_GT(::read(c->output_fd(), buf, sizeof buf), 0);
    child.emplace(std::move(*c));
  }).join();
  ASSERT_TRUE(child);
  auto s = child->wait(milliseconds(5000));
  EXPECT_FALSE(s.timed_out);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST(Subprocess, LastLine) {
  EXPECT_EQ(last_line("a\nb\n\n  \n"), "b");
  EXPECT_EQ(last_line(""), "");
  EXPECT_EQ(last_line("only"), "only");
}

}  // namespace
}  // namespace pushcap::test
