#pragma once
// Child processes for pipe commands, scripts and rclone: spawned in a process group of their
// own (so a deadline can kill the whole tree), with default signal handling whatever the
// parent's threads block or ignore, an environment edited per call, and an exit status that
// says how the child ended.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap {

/// How a child ended.
struct ExitStatus {
  int code = -1;           ///< exit code when it exited (-1 otherwise)
  int signal = 0;          ///< the signal that killed it (0 if it exited)
  bool timed_out = false;  ///< killed by the caller's deadline
  /// True for exit code 0 within the deadline.
  [[nodiscard]] bool ok() const { return code == 0 && signal == 0 && !timed_out; }
  /// "exit status 3", "killed by signal 9 (Killed)", "killed after its 30 s time limit".
  [[nodiscard]] std::string describe() const;
};

/// What a child gets.
struct SpawnOptions {
  std::vector<std::string> argv;       ///< argv[0] is looked up in PATH
  std::vector<std::string> env_set;    ///< "NAME=value" entries added or replaced
  std::vector<std::string> env_unset;  ///< names removed from the inherited environment
  bool pipe_stdin = false;             ///< stdin is a pipe the parent writes (else /dev/null)
  int stdout_fd = -1;                  ///< stdout goes here (not owned); -1: into the output pipe
  bool capture_output = true;          ///< stderr (and stdout when stdout_fd < 0) into a pipe
  /// The child gets SIGKILL when the thread that started it ends, pushcap included (a daemon
  /// must not outlive a pushcap killed with SIGKILL). Started with fork and execve.
  bool die_with_parent = false;
};

/// A running child. Destroying one that still runs kills its process group and reaps it.
class Child {
 public:
  static Result<Child> spawn(const SpawnOptions& options);
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  [[nodiscard]] pid_t pid() const { return pid_; }
  /// The write end of the child's stdin (-1 unless pipe_stdin).
  [[nodiscard]] int stdin_fd() const { return stdin_.get(); }
  /// The read end of the captured output (-1 unless capture_output).
  [[nodiscard]] int output_fd() const { return output_.get(); }
  /// Closes the stdin pipe: the child sees end of input.
  void close_stdin() { stdin_ = Fd(); }
  /// Bytes written to the stdin pipe that the child has not read (-1 if unknown). The parent
  /// keeps a read end of the pipe for this, so a child that ends early never causes EPIPE:
  /// a writer checks try_wait() when the pipe is full.
  [[nodiscard]] long unread_input() const;
  /// Sends `sig` to the child's whole process group.
  void kill_group(int sig) const;
  /// The status if the child has ended (reaps it), without blocking.
  std::optional<ExitStatus> try_wait();
  /// Waits until the child ends or `limit` passes; past the limit the group gets SIGTERM, then
  /// SIGKILL two seconds later, and the status says timed_out. Captured output is passed to
  /// `on_output` as it comes (and drained, so a chatty child never blocks on a full pipe).
  ExitStatus wait(std::chrono::milliseconds limit, const std::function<void(std::string_view)>& on_output = {});

 private:
  Child() = default;
  pid_t pid_ = -1;
  Fd stdin_;
  Fd stdin_probe_;
  Fd output_;
  std::optional<ExitStatus> status_;
};

/// Runs `options` to the end with a time limit, collecting at most `max_output` bytes of output
/// (the rest is drained and dropped); returns the status and what was kept.
struct RunResult {
  ExitStatus status;
  std::string output;
  std::uint64_t output_dropped = 0;
};
Result<RunResult> run_command(const SpawnOptions& options, std::chrono::milliseconds limit,
                              std::size_t max_output = 64 * 1024);

/// The last non-empty line of `text` ("" if none), for error messages.
std::string last_line(std::string_view text);

}  // namespace pushcap
