#include "hooks/script_pool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "test_util.h"

namespace pushcap::hooks {
namespace {

struct Log {
  std::mutex m;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> fn() {
    return [this](const std::string& l) {
      std::lock_guard lock(m);
      lines.push_back(l);
    };
  }
  bool has(const std::string& needle) {
    std::lock_guard lock(m);
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ScriptPool, RunsEachJobsScriptsInOrderWithArgumentsAndEnvironment) {
  test::TempDir tmp;
  const std::string out = tmp / "out.txt";
  Log log;
  unsigned failures = 99;
  {
    ScriptPool pool({});
    ScriptJob job;
    // The command gets the run's arguments after its own, as the original's scripts do.
    std::ofstream(tmp / "s.sh") << "printf '%s|%s|%s|%s\\n' \"$1\" \"$2\" \"$3\" \"$PUSHCAP_X\" >> " << out << "\n";
    job.runs.push_back({"close script", "sh " + (tmp / "s.sh") + " first", {"a b", "c"}, {"PUSHCAP_X=x y"}});
    job.runs.push_back({"Post script", "echo second >> " + out, {}, {}});
    job.log = log.fn();
    job.done = [&](unsigned f) { failures = f; };
    pool.submit(std::move(job));
    pool.finish();
    EXPECT_EQ(pool.runs(), 2u);
    EXPECT_EQ(pool.failures(), 0u);
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(read(out), "first|a b|c|x y\nsecond\n") << "an argument with a space stays one argument";
}

TEST(ScriptPool, FailuresAreCountedAndLoggedAndTheRestStillRuns) {
  test::TempDir tmp;
  Log log;
  unsigned failures = 0;
  ScriptPool pool({});
  ScriptJob job;
  job.runs.push_back({"close script", "echo oops; exit 3", {}, {}});
  job.runs.push_back({"Post script", "/nonexistent/script", {}, {}});
  job.runs.push_back({"Post script", "touch " + (tmp / "ran"), {}, {}});
  job.log = log.fn();
  job.done = [&](unsigned f) { failures = f; };
  pool.submit(std::move(job));
  pool.finish();
  EXPECT_EQ(failures, 2u);
  EXPECT_EQ(pool.failures(), 2u);
  EXPECT_TRUE(log.has("oops")) << "a script's output goes to the log";
  EXPECT_TRUE(log.has("3")) << "with its exit status";
  EXPECT_TRUE(std::ifstream(tmp / "ran").good());
}

TEST(ScriptPool, AScriptPastItsTimeLimitIsKilledWithItsChildren) {
  test::TempDir tmp;
  Log log;
  ScriptLimits limits;
  limits.time_limit = std::chrono::milliseconds(300);
  ScriptPool pool(limits);
  ScriptJob job;
  // The script and a child it started both sleep; both must go.
  job.runs.push_back({"close script", "sleep 30 & echo $! > " + (tmp / "child.pid") + "; sleep 30", {}, {}});
  job.log = log.fn();
  const auto start = std::chrono::steady_clock::now();
  pool.submit(std::move(job));
  pool.finish();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(25)) << "not waited out";
  EXPECT_EQ(pool.failures(), 1u);
  const std::string pid = read(tmp / "child.pid");
  ASSERT_FALSE(pid.empty());
  const std::string proc = "/proc/" + pid.substr(0, pid.find('\n'));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::filesystem::exists(proc) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(std::filesystem::exists(proc)) << "the script's child was killed with its process group";
}

}  // namespace
}  // namespace pushcap::hooks
