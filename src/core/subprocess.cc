#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fmt/format.h>

extern char** environ;  // NOLINT: POSIX

namespace pushcap {
namespace {

using Clock = std::chrono::steady_clock;

ExitStatus from_wait_status(int ws) {
  ExitStatus s;
  if (WIFEXITED(ws)) s.code = WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) s.signal = WTERMSIG(ws);
  return s;
}

std::vector<std::string> child_environment(const SpawnOptions& o) {
  std::vector<std::string> env;
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=')); };
  auto replaced = [&](std::string_view name) {
    for (const auto& u : o.env_unset)
      if (u == name) return true;
    for (const auto& s : o.env_set)
      if (name_of(s) == name) return true;
    return false;
  };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!replaced(name_of(entry))) env.emplace_back(entry);
  }
  for (const auto& s : o.env_set) env.push_back(s);
  return env;
}

// Signals whose handling the parent may have changed: the child gets the defaults.
constexpr int kDefaultSignals[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD};

// `name` as execve needs it: a path as given when it has a slash, else the first executable
// in the child's PATH.
Result<std::string> find_program(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  for (std::size_t b = 0; b <= path.size();) {
    std::size_t e = path.find(':', b);
    if (e == std::string::npos) e = path.size();
    std::string dir = e > b ? path.substr(b, e - b) : ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    b = e + 1;
  }
  return fail(Errc::kIo, "cannot run " + name + ": not found in PATH");
}

// fork and execve for a child that must not outlive pushcap (PR_SET_PDEATHSIG, which
// posix_spawn cannot set). Between fork and exec only async-signal-safe calls.
Result<pid_t> fork_exec(const std::string& path, char* const argv[], char* const envp[], const int from[3]) {
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::kIo, "cannot run " + path + ": fork: " + errno_text(errno));
  if (pid > 0) return pid;
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // pushcap ended before the call above
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s : kDefaultSignals) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int fd = 0; fd < 3; ++fd) {
    if (from[fd] >= 0) {
      ::dup2(from[fd], fd);
    } else {
      int null = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
      if (null >= 0 && null != fd) {
        ::dup2(null, fd);
        ::close(null);
      }
    }
  }
  ::execve(path.c_str(), argv, envp);
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (timed_out) return "killed after its time limit";
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit status {}", code);
}

Result<Child> Child::spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return fail(Errc::kInvalidArgument, "no command to run");
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  if (o.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) {
    return fail(Errc::kIo, "cannot create a pipe: " + errno_text(errno));
  }
  Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (o.capture_output && ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return fail(Errc::kIo, "cannot create a pipe: " + errno_text(errno));
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);

  // Where the child's fds 0, 1 and 2 come from (-1: /dev/null).
  const int from[3] = {o.pipe_stdin ? in_read.get() : -1,
                       o.stdout_fd >= 0 ? o.stdout_fd : (o.capture_output ? out_write.get() : -1),
                       o.capture_output ? out_write.get() : -1};
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = child_environment(o);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : kDefaultSignals) sigaddset(&defaults, s);

  pid_t pid = -1;
  if (o.die_with_parent) {
    auto path = find_program(o.argv[0], env_strings);
    if (!path) return fail(path.error());
    auto r = fork_exec(*path, argv.data(), envp.data(), from);
    if (!r) return fail(r.error());
    pid = *r;
  } else {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd = 0; fd < 3; ++fd) {
      if (from[fd] >= 0) {
        posix_spawn_file_actions_adddup2(&actions, from[fd], fd);
      } else {
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
      }
    }
    // Its own process group, no blocked signals, default handlers for what the parent changed.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return fail(Errc::kIo, "cannot run " + o.argv[0] + ": " + errno_text(rc));
  }

  Child c;
  c.pid_ = pid;
  c.stdin_ = std::move(in_write);
  c.stdin_probe_ = std::move(in_read);
  c.output_ = std::move(out_read);
  return c;
}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_),
      stdin_(std::move(other.stdin_)),
      stdin_probe_(std::move(other.stdin_probe_)),
      output_(std::move(other.output_)),
      status_(other.status_) {
  other.pid_ = -1;
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    pid_ = other.pid_;
    stdin_ = std::move(other.stdin_);
    stdin_probe_ = std::move(other.stdin_probe_);
    output_ = std::move(other.output_);
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

Child::~Child() {
  if (pid_ > 0 && !status_) {
    kill_group(SIGKILL);
    int ws = 0;
    while (::waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

long Child::unread_input() const {
  int n = 0;
  if (!stdin_probe_.valid() || ::ioctl(stdin_probe_.get(), FIONREAD, &n) != 0) return -1;
  return n;
}

void Child::kill_group(int sig) const {
  if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

std::optional<ExitStatus> Child::try_wait() {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int ws = 0;
  pid_t r = ::waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) status_ = from_wait_status(ws);
  return status_;
}

ExitStatus Child::wait(std::chrono::milliseconds limit, const std::function<void(std::string_view)>& on_output) {
  const auto deadline = Clock::now() + limit;
  auto kill_at = Clock::time_point::max();
  bool timed_out = false;
  char buf[16384];
  for (;;) {
    if (auto s = try_wait()) {
      // Whatever the child wrote before it ended is still in the pipe; a background grandchild
      // may hold the pipe open for ever, so only what is there now is read.
      while (output_.valid()) {
        ssize_t n = ::read(output_.get(), buf, sizeof buf);
        if (n <= 0) break;
        if (on_output) on_output(std::string_view(buf, static_cast<std::size_t>(n)));
        pollfd p{output_.get(), POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0 || (p.revents & POLLIN) == 0) break;
      }
      output_ = Fd();
      status_->timed_out = timed_out;
      return *status_;
    }
    const auto now = Clock::now();
    if (!timed_out && now >= deadline) {
      timed_out = true;
      kill_group(SIGTERM);
      kill_at = now + std::chrono::seconds(2);
    } else if (timed_out && now >= kill_at) {
      kill_group(SIGKILL);
      kill_at = Clock::time_point::max();
    }
    if (output_.valid()) {
      pollfd p{output_.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        ssize_t n = ::read(output_.get(), buf, sizeof buf);
        if (n > 0) {
          if (on_output) on_output(std::string_view(buf, static_cast<std::size_t>(n)));
        } else if (n == 0) {
          output_ = Fd();  // every writer closed it; wait for the exit alone
        }
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

Result<RunResult> run_command(const SpawnOptions& options, std::chrono::milliseconds limit, std::size_t max_output) {
  auto child = Child::spawn(options);
  if (!child) return fail(child.error());
  RunResult result;
  result.status = child->wait(limit, [&](std::string_view chunk) {
    std::size_t keep = std::min(chunk.size(), max_output - std::min(max_output, result.output.size()));
    result.output.append(chunk.substr(0, keep));
    result.output_dropped += chunk.size() - keep;
  });
  return result;
}

std::string last_line(std::string_view text) {
  while (!text.empty()) {
    std::size_t end = text.find_last_not_of("\r\n \t");
    if (end == std::string_view::npos) return "";
    text = text.substr(0, end + 1);
    std::size_t start = text.find_last_of('\n');
    std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
    if (!line.empty()) return std::string(line);
    text = text.substr(0, start);
  }
  return "";
}

}  // namespace pushcap
