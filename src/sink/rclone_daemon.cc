#include "sink/rclone_daemon.h"

#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "core/fd.h"
#include "core/http_client.h"
#include "core/subprocess.h"

namespace pushcap::sink {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kTailBytes = 4096;  // the daemon's last output kept for error messages

// A port on 127.0.0.1 that is free now (the daemon binds it right after; a lost race shows as
// the daemon exiting, and the start is tried again with another port).
Result<std::uint16_t> free_port() {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return fail(Errc::kIo, "socket: " + errno_text(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return fail(Errc::kIo, "cannot find a free port on 127.0.0.1: " + errno_text(errno));
  }
  return ntohs(a.sin_port);
}

Result<std::string> random_password() {
  unsigned char raw[16];
  if (::getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) {
    return fail(Errc::kIo, "getrandom: " + errno_text(errno));
  }
  std::string hex;
  for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace

std::string RcReply::error() const {
  if (status == 200) return "";
  if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"].get<std::string>();
  return fmt::format("HTTP status {}", status);
}

/// One started daemon: the child, a thread draining its output, a thread waiting until it
/// answers, and where it listens.
struct RcloneDaemon::Instance {
  enum class State { kStarting, kReady, kFailed };

  std::mutex child_mutex;  // Child's status is read and changed by several threads
  Child child;
  pid_t pid;
  std::uint16_t port = 0;
  std::string auth;
  std::thread drain, starter;

  std::mutex tail_mutex;
  std::string tail;

  std::mutex state_mutex;
  std::condition_variable state_changed;
  State state = State::kStarting;
  std::string failure;      // why it did not start
  bool port_taken = false;  // ... because another program took the port first

  explicit Instance(Child c) : child(std::move(c)), pid(child.pid()) {}
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance() {
    kill_now();
    if (starter.joinable()) starter.join();
    if (drain.joinable()) drain.join();
  }

  std::optional<ExitStatus> ended() {
    std::lock_guard lock(child_mutex);
    return child.try_wait();
  }
  void kill_now() {
    std::lock_guard lock(child_mutex);
    child.kill_group(SIGKILL);
  }
  std::string last_output_line() {
    std::lock_guard lock(tail_mutex);
    return last_line(tail);
  }
  void settle(State s, std::string why = "", bool taken = false) {
    std::lock_guard lock(state_mutex);
    state = s;
    failure = std::move(why);
    port_taken = taken;
    state_changed.notify_all();
  }
  bool ready() {
    std::lock_guard lock(state_mutex);
    return state == State::kReady;
  }
  Result<void> wait_ready() {
    std::unique_lock lock(state_mutex);
    state_changed.wait(lock, [&] { return state != State::kStarting; });
    if (state == State::kReady) return {};
    return fail(Errc::kIo, failure);
  }

  // The drain thread: keeps the last few KiB of the daemon's output, so a pipe never fills.
  void drain_output(int fd) {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      std::lock_guard lock(tail_mutex);
      tail.append(buf, static_cast<std::size_t>(n));
      if (tail.size() > 2 * kTailBytes) tail.erase(0, tail.size() - kTailBytes);
    }
  }

  // The starter thread: ready when the daemon answers a no-op with our credentials.
  void await_answer(const RcloneDaemonOptions& options) {
    const auto deadline = Clock::now() + options.start_limit;
    HttpRequest noop;
    noop.port = port;
    noop.path = "/rc/noop";
    noop.body = "{}";
    noop.basic_auth = auth;
    for (;;) {
      auto answer = http_post(noop, std::chrono::milliseconds(1000));
      if (answer && answer->status == 200) {
        if (options.log) options.log(fmt::format("rclone rcd (pid {}) serves 127.0.0.1:{}", pid, port));
        settle(State::kReady);
        return;
      }
      if (auto s = ended()) {
        drain.join();  // its output is complete now
        std::string line = last_output_line();
        std::string why =
            fmt::format("rclone rcd did not start ({}){}", s->describe(), line.empty() ? "" : ": " + line);
        bool taken = line.find("address already in use") != std::string::npos;
        if (!taken && s->signal == 0 && options.cannot_start) options.cannot_start(why);
        settle(State::kFailed, why, taken);
        return;
      }
      if (Clock::now() >= deadline) {
        kill_now();
        settle(State::kFailed,
               fmt::format("rclone rcd did not answer within {} s{}", options.start_limit.count() / 1000,
                           answer ? fmt::format(" (HTTP status {})", answer->status) : ""));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
};

RcloneDaemon::RcloneDaemon(RcloneDaemonOptions options) : options_(std::move(options)) {}

RcloneDaemon::~RcloneDaemon() {
  stop();
}

Result<void> RcloneDaemon::start() {
  std::lock_guard lock(mutex_);
  if (current_) return {};
  auto started = launch();
  if (!started) return fail(started.error());
  current_ = std::move(*started);
  return {};
}

void RcloneDaemon::stop() {
  std::shared_ptr<Instance> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(current_);
  }
  // Killed now: a call in flight fails at once instead of running to its deadline. ~Instance
  // reaps it once the last call holding it has returned.
  if (old) old->kill_now();
}

Result<std::shared_ptr<RcloneDaemon::Instance>> RcloneDaemon::running() {
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<Instance> instance;
    {
      std::lock_guard lock(mutex_);
      if (current_ && current_->ready()) {
        if (auto s = current_->ended()) {
          std::string line = current_->last_output_line();
          if (options_.log) {
            options_.log(fmt::format("rclone rcd (pid {}) ended ({}){}; starting another", current_->pid, s->describe(),
                                     line.empty() ? "" : ": " + line));
          }
          current_.reset();
        }
      }
      if (!current_) {
        auto started = launch();
        if (!started) return fail(started.error());
        current_ = std::move(*started);
      }
      instance = current_;
    }
    auto ready = instance->wait_ready();
    if (ready) return instance;
    {
      std::lock_guard lock(mutex_);
      if (current_ == instance) current_.reset();
    }
    // A port taken by another program between our check and its start: another port.
    if (!instance->port_taken || attempt >= 2) return fail(ready.error());
  }
}

Result<std::shared_ptr<RcloneDaemon::Instance>> RcloneDaemon::launch() {
  auto port = free_port();
  if (!port) return fail(port.error());
  auto password = random_password();
  if (!password) return fail(password.error());
  SpawnOptions o;
  o.argv = {options_.binary, "rcd", "--rc-addr", fmt::format("127.0.0.1:{}", *port),
            // A transfer may take hours: the answer's time limit is pushcap's own deadline.
            "--rc-server-read-timeout", "8760h", "--rc-server-write-timeout", "8760h"};
  o.argv.insert(o.argv.end(), options_.flags.begin(), options_.flags.end());
  // The credentials go in the environment, which other users cannot read (unlike argv).
  o.env_set = {"RCLONE_RC_USER=pushcap", "RCLONE_RC_PASS=" + *password};
  // rclone 1.60 fails every S3 call when AWS_CA_BUNDLE is set (docs/DESIGN.md, rclone's faults).
  o.env_unset = {"AWS_CA_BUNDLE"};
  // A pushcap killed with SIGKILL takes its daemon along: an orphan would keep writing a
  // temporary name that the next run writes too.
  o.die_with_parent = true;
  auto child = Child::spawn(o);
  if (!child) return fail(child.error().context("rclone rcd"));
  auto instance = std::make_shared<Instance>(std::move(*child));
  instance->port = *port;
  instance->auth = "pushcap:" + *password;
  Instance* raw = instance.get();
  raw->drain = std::thread([raw, fd = raw->child.output_fd()] { raw->drain_output(fd); });
  raw->starter = std::thread([raw, options = options_] { raw->await_answer(options); });
  return instance;
}

void RcloneDaemon::kill(const std::shared_ptr<Instance>& instance, const std::string& why) {
  std::lock_guard lock(mutex_);
  if (current_ != instance) return;  // another call already replaced it
  if (options_.log) options_.log(fmt::format("killing rclone rcd (pid {}): {}", instance->pid, why));
  instance->kill_now();
  current_.reset();
}

Result<RcReply> RcloneDaemon::call(const std::string& method, const nlohmann::json& input,
                                   std::chrono::milliseconds limit) {
  auto instance = running();
  if (!instance) return fail(instance.error());
  HttpRequest request;
  request.port = (*instance)->port;
  request.path = "/" + method;
  request.body = input.dump();
  request.basic_auth = (*instance)->auth;
  auto answer = http_post(request, limit);
  if (!answer) {
    std::string why =
        answer.error().kind == HttpFailure::kTimeout
            ? fmt::format("{} did not end within its {} s time limit", method, (limit.count() + 999) / 1000)
            : fmt::format("{}: {}", method, answer.error().message);
    // The daemon is hung, dying or confused: a fresh one serves the retry.
    kill(*instance, why);
    std::string line = (*instance)->last_output_line();
    return fail(Errc::kIo, "rclone rcd: " + why + (line.empty() ? "" : " (its last output: " + line + ")"));
  }
  RcReply reply;
  reply.status = answer->status;
  reply.body = nlohmann::json::parse(answer->body, nullptr, false);
  if (reply.body.is_discarded()) {
    return fail(Errc::kIo, fmt::format("rclone rcd {}: the answer (HTTP {}) is not JSON: {}", method, answer->status,
                                       last_line(answer->body)));
  }
  return reply;
}

}  // namespace pushcap::sink
