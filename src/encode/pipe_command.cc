#include "encode/pipe_command.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <fmt/format.h>

namespace pushcap::encode {
namespace {

// Only the end of a command's output is kept for messages.
constexpr std::size_t kKeepOutput = 8192;

}  // namespace

Result<std::unique_ptr<PipeCommand>> PipeCommand::start(SpawnOptions options, std::string name,
                                                        std::chrono::milliseconds stall,
                                                        std::chrono::milliseconds limit) {
  options.pipe_stdin = true;
  options.capture_output = true;
  auto child = Child::spawn(options);
  if (!child) return fail(child.error().context(name));
  // Non-blocking writes, so a command that stops reading cannot stall the target for ever.
  int flags = ::fcntl(child->stdin_fd(), F_GETFL);
  ::fcntl(child->stdin_fd(), F_SETFL, flags | O_NONBLOCK);
  return std::unique_ptr<PipeCommand>(new PipeCommand(std::move(*child), std::move(name), stall, limit));
}

Result<std::unique_ptr<PipeCommand>> PipeCommand::shell(const std::string& cmd, int out_fd,
                                                        std::chrono::milliseconds stall,
                                                        std::chrono::milliseconds limit) {
  SpawnOptions o;
  o.argv = {"sh", "-c", cmd};
  o.stdout_fd = out_fd;
  return start(std::move(o), "PipeCmd \"" + cmd + "\"", stall, limit);
}

PipeCommand::~PipeCommand() {
  if (!finished_) abort();
}

void PipeCommand::abort() {
  finished_ = true;
  child_.close_stdin();
  child_.kill_group(SIGKILL);
  (void)child_.wait(std::chrono::seconds(5));
}

void PipeCommand::read_output() {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(child_.output_fd(), buf, sizeof buf);
    if (n <= 0) return;
    output_.append(buf, static_cast<std::size_t>(n));
    if (output_.size() > 2 * kKeepOutput) output_.erase(0, output_.size() - kKeepOutput);
    pollfd p{child_.output_fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0 || (p.revents & POLLIN) == 0) return;
  }
}

Error PipeCommand::failure(const std::string& what) {
  std::string line = last_line(output_);
  return Error(Errc::kIo, fmt::format("{} {}{}", name_, what, line.empty() ? "" : ": " + line));
}

Result<void> PipeCommand::write(const std::uint8_t* data, std::size_t len) {
  using Clock = std::chrono::steady_clock;
  auto stalled_since = Clock::now();
  while (len > 0) {
    ssize_t n = ::write(child_.stdin_fd(), data, len);
    if (n > 0) {
      data += n;
      len -= static_cast<std::size_t>(n);
      bytes_ += static_cast<std::uint64_t>(n);
      stalled_since = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      // EPIPE: the command closed its input or ended before reading everything.
      int err = errno;
      finished_ = true;
      child_.close_stdin();
      ExitStatus s = child_.wait(limit_, [&](std::string_view chunk) { output_.append(chunk); });
      return fail(failure(fmt::format("stopped reading its input ({}; {})", errno_text(err), s.describe())));
    }
    // The pipe is full: wait for room, draining the command's stderr meanwhile.
    if (auto s = child_.try_wait()) {
      finished_ = true;
      child_.close_stdin();
      (void)child_.wait(std::chrono::seconds(1), [&](std::string_view chunk) { output_.append(chunk); });
      return fail(failure(fmt::format("ended before reading all its input ({})", s->describe())));
    }
    pollfd p[2] = {{child_.stdin_fd(), POLLOUT, 0}, {child_.output_fd(), POLLIN, 0}};
    int ready = ::poll(p, child_.output_fd() >= 0 ? 2 : 1, 100);
    if (ready > 0 && (p[1].revents & (POLLIN | POLLHUP)) != 0) read_output();
    if (Clock::now() - stalled_since > stall_) {
      finished_ = true;
      child_.close_stdin();
      child_.kill_group(SIGKILL);
      ExitStatus s = child_.wait(std::chrono::seconds(5));
      (void)s;
      return fail(failure(fmt::format("read nothing for {} s and was killed", stall_.count() / 1000)));
    }
  }
  return {};
}

Result<void> PipeCommand::finish() {
  if (finished_) return fail(failure("had already failed"));
  finished_ = true;
  child_.close_stdin();
  ExitStatus s = child_.wait(limit_, [&](std::string_view chunk) {
    output_.append(chunk);
    if (output_.size() > 2 * kKeepOutput) output_.erase(0, output_.size() - kKeepOutput);
  });
  if (!s.ok()) return fail(failure("failed: " + s.describe()));
  // A command that exits 0 without reading all its input cut the stream short.
  if (long unread = child_.unread_input(); unread > 0) {
    return fail(failure(fmt::format("exited without reading the last {} bytes of its input", unread)));
  }
  return {};
}

}  // namespace pushcap::encode
