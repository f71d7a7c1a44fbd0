#pragma once
// What the engine reads from: files, a capture store, a folder of another program's rolling
// files. A source delivers batches, and a watermark ("every packet with a timestamp below T
// has been delivered") when it knows one, so time splits close on time (DESIGN.md).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "core/result.h"

namespace pushcap::capture {

/// What reading came to.
struct SourceOutcome {
  std::vector<Error> errors;         ///< damaged or unreadable inputs (each names file and offset)
  std::vector<std::string> skipped;  ///< files in a directory that were not captures
  bool interrupted = false;          ///< stopped early by the stop flag
  std::uint64_t packets = 0;         ///< records delivered
  std::vector<std::string> gaps;     ///< data deleted (retention, a writer's ring) before it was read
};

/// Where a source sends what it reads. Only `batch` is required.
struct SourceEvents {
  std::function<void(BatchPtr)> batch;
  std::function<void(std::uint64_t)> watermark;    ///< every packet below ts has been delivered
  std::function<void(const Error&)> error;         ///< a damaged input (the next one follows)
  std::function<void(const std::string&)> notice;  ///< something the log must say (a skipped range, a wait)
};

/// A source of batches. run() is called once, on the reader thread; the rest from any thread.
class Source {
 public:
  virtual ~Source() = default;
  /// Reads until the end of the input (or, for a live source, until a signal).
  virtual SourceOutcome run(const SourceEvents& events) = 0;
  /// Bytes read so far.
  [[nodiscard]] virtual std::uint64_t bytes_read() const = 0;
  /// Bytes there are to read in all, for progress; 0 when unknown (a live source).
  [[nodiscard]] virtual std::uint64_t total_bytes() const { return 0; }
  /// The name of input `index` (Batch::input), as a checkpoint records it.
  [[nodiscard]] virtual std::string input_name(std::uint32_t index) const = 0;
  /// True when input `a` is read before input `b` (names as input_name gives them).
  [[nodiscard]] virtual bool input_before(const std::string& a, const std::string& b) const { return a < b; }
  /// Starts reading at byte `seek` (a record boundary, or 0) of input `input` instead of the
  /// source's own start; false when the source cannot (offline files).
  virtual bool resume_at(const std::string& input, std::uint64_t seek) {
    (void)input;
    (void)seek;
    return false;
  }
  /// How far behind the newest data this source is, in seconds of packet time (live sources).
  [[nodiscard]] virtual double lag_seconds() const { return 0; }
};

}  // namespace pushcap::capture
