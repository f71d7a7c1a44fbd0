#pragma once
// The byte path of one open split, behind the writer (DESIGN.md: splitter -> encoder -> sink):
//   plain:     file
//   Compress:  codec -> file
//   PipeCmd:   sh -c CMD -> file, and a raw copy beside it, kept if the command fails
//   stream:    [codec ->] rclone rcat to a temporary remote name (no local file)
// A PipeCmd that dies mid-split does not stop the split: the raw copy goes on, and at the end
// the split is kept under a name that says the command failed, never under its final name.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/byte_sink.h"
#include "encode/compression.h"
#include "encode/pipe_command.h"
#include "sink/pending_file.h"
#include "sink/rclone.h"

namespace pushcap::push {

/// How a target's splits leave it.
struct OutputPlan {
  encode::Compression compression;
  std::string pipe_cmd;                                            ///< PipeCmd ("" = none)
  std::chrono::milliseconds pipe_stall{std::chrono::seconds(60)};  ///< a command that reads nothing this long is killed
  std::chrono::milliseconds pipe_limit{std::chrono::seconds(600)};  ///< time a command has to end after its input
  const sink::Rclone* stream_to = nullptr;                          ///< rclone rcat instead of a local file
  /// True when the file's bytes are not the pcap stream itself (its header cannot be patched).
  [[nodiscard]] bool encoded() const { return compression.active() || !pipe_cmd.empty() || stream_to != nullptr; }
};

class SplitOutput final : public ByteSink {
 public:
  /// Opens the local file under `local` (candidate names), or starts rcat to `remote_tmp`.
  static Result<std::unique_ptr<SplitOutput>> open(const OutputPlan& plan, const sink::NameFn& local,
                                                   const std::string& remote_tmp);
  ~SplitOutput() override;

  Result<void> write(const std::uint8_t* data, std::size_t len) override;
  /// Ends the codec and waits for the PipeCmd. An error here is a write error (disk); a failed
  /// command is reported by pipe_error() instead.
  Result<void> finish() override;

  /// The local file (nullptr when streaming).
  [[nodiscard]] sink::PendingFile* file() { return file_ ? &*file_ : nullptr; }
  /// The PipeCmd's failure, if it failed.
  [[nodiscard]] const std::optional<Error>& pipe_error() const { return pipe_error_; }
  /// After a PipeCmd failure: removes the command's partial output and keeps the raw split,
  /// made durable, as "<final name>.pipecmd-failed.pcap"; returns that name.
  Result<std::string> keep_raw(const std::string& final_name);
  /// After a PipeCmd success: removes the raw copy.
  void discard_raw();
  /// The local file, for the closer to publish.
  std::optional<sink::PendingFile> take_file() { return std::move(file_); }
  /// The rcat command, for the uploader to wait on (streaming only).
  std::unique_ptr<encode::PipeCommand> take_stream() { return std::move(stream_); }
  /// Bytes in the file (or sent to rcat) so far.
  [[nodiscard]] std::uint64_t file_bytes() const;
  /// Gives the split up: local file kept as .failed, raw copy too, commands killed.
  std::string abandon();
  /// Gives the split up when it is written again elsewhere: commands killed, files removed.
  void discard();

  /// Where the delivery put the split besides its file: its spool entry, or the temporary
  /// remote name rcat writes.
  struct Place {
    std::uint64_t spool_seq = 0;
    std::string remote_tmp;
  };
  Place place;

 private:
  SplitOutput() = default;

  std::optional<sink::PendingFile> file_;
  std::unique_ptr<FdSink> file_sink_;
  std::optional<sink::PendingFile> raw_;
  std::unique_ptr<FdSink> raw_sink_;
  std::unique_ptr<encode::PipeCommand> pipe_;
  std::unique_ptr<encode::PipeCommand> stream_;
  std::unique_ptr<ByteSink> codec_;
  ByteSink* head_ = nullptr;  // where the codec or the file takes bytes
  std::optional<Error> pipe_error_;
};

}  // namespace pushcap::push
