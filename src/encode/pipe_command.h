#pragma once
// A split streamed through a command (PipeCmd = "gzip -c -1", or rclone rcat): its stdin is fed
// by write(), its stdout goes to a file descriptor, its stderr is kept for the error message.
// A command that exits non-zero, dies, stops reading for longer than the stall limit or closes
// its stdin early fails the stream: finish() or write() says how, with its last stderr line.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_sink.h"
#include "core/subprocess.h"

namespace pushcap::encode {

class PipeCommand final : public ByteSink {
 public:
  /// Starts `argv` with stdout on `out_fd` (-1: stdout is kept with stderr). `name` names the
  /// command in messages; `stall` is how long a write may wait for the command to read.
  static Result<std::unique_ptr<PipeCommand>> start(SpawnOptions options, std::string name,
                                                    std::chrono::milliseconds stall, std::chrono::milliseconds limit);
  /// Starts `sh -c CMD` with stdout on `out_fd`.
  static Result<std::unique_ptr<PipeCommand>> shell(const std::string& cmd, int out_fd, std::chrono::milliseconds stall,
                                                    std::chrono::milliseconds limit);
  ~PipeCommand() override;

  Result<void> write(const std::uint8_t* data, std::size_t len) override;
  /// Closes the command's stdin and waits (up to the time limit) for it to exit.
  Result<void> finish() override;
  /// Kills the command (a split given up): its process group gets SIGKILL.
  void abort();
  /// Bytes written to the command.
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  PipeCommand(Child child, std::string name, std::chrono::milliseconds stall, std::chrono::milliseconds limit)
      : child_(std::move(child)), name_(std::move(name)), stall_(stall), limit_(limit) {}
  void read_output();
  Error failure(const std::string& what);

  Child child_;
  std::string name_;
  std::chrono::milliseconds stall_;
  std::chrono::milliseconds limit_;
  std::string output_;  // the end of what the command printed
  std::uint64_t bytes_ = 0;
  bool finished_ = false;
};

}  // namespace pushcap::encode
