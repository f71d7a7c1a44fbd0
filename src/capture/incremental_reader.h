#pragma once
// Reads one capture file in batches, as far as the caller says the file is whole, and carries an
// incomplete record to the next call: the file may still be growing (a store segment being
// written, another program's rolling file). The format is detected from the magic number.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/capture_parser.h"
#include "core/result.h"

namespace pushcap::capture {

/// One file being read.
class IncrementalReader {
 public:
  /// Reads `fd` (not owned) named `path`; batches carry `input` as their input index.
  IncrementalReader(int fd, std::string path, std::uint32_t input, FormatRegistry& registry)
      : fd_(fd), path_(std::move(path)), input_(input), registry_(registry) {}

  /// Starts reading at `offset` instead of 0: a classic pcap file's header is read first, then
  /// reading goes on at `offset`, which must be a record boundary. A pcapng file cannot be
  /// entered in the middle: reading starts at 0 and false is returned.
  Result<bool> seek(std::uint64_t offset);

  /// Reads and parses the bytes [position, limit) into batches. Whole records are delivered; a
  /// record cut by `limit` waits for the next call. Returns false when the file is not a capture
  /// (unknown magic) or is damaged; error() says why.
  bool read_to(std::uint64_t limit, BatchPool& pool, const std::function<void(std::shared_ptr<Batch>)>& emit);
  /// The file will not grow: bytes left over are an incomplete record (or too few for a header).
  [[nodiscard]] std::uint64_t leftover() const { return carry_.size(); }

  /// File offset up to which bytes were read (and parsed, or carried).
  [[nodiscard]] std::uint64_t read_position() const { return offset_ + carry_.size(); }
  /// File offset just after the last whole record delivered.
  [[nodiscard]] std::uint64_t parsed_position() const { return offset_; }
  [[nodiscard]] const std::optional<Error>& error() const { return error_; }
  [[nodiscard]] bool not_a_capture() const { return not_a_capture_; }
  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::uint64_t last_ts() const { return last_ts_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
  std::uint32_t input_;
  FormatRegistry& registry_;
  std::unique_ptr<CaptureParser> parser_;
  std::uint64_t offset_ = 0;  // file offset of carry_[0]
  std::vector<std::uint8_t> carry_;
  std::size_t need_ = 0;
  std::optional<Error> error_;
  bool not_a_capture_ = false;
  std::uint64_t packets_ = 0;
  std::uint64_t last_ts_ = 0;
};

}  // namespace pushcap::capture
