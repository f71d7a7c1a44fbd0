#pragma once
// Reads a list of inputs one after another in large reads and turns them into batches.
// The format of each input is detected from its content. A damaged input stops at its first bad
// record: the records before it are delivered, the error is reported, and the next input follows.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/input_list.h"
#include "capture/source.h"
#include "core/result.h"

namespace pushcap::capture {

/// The offline source: files, directory contents and stdin, in order.
class FileSource : public Source {
 public:
  FileSource(std::vector<Input> inputs, BatchPool& pool) : inputs_(std::move(inputs)), pool_(pool) {}

  /// Reads every input, calling `emit` with each non-empty batch, until done or until a signal
  /// was noted (core/interrupt.h); an incomplete record at an interruption is not delivered.
  /// `on_error` (optional) hears of each damaged or unreadable input as it happens.
  SourceOutcome run(const SourceEvents& events) override;
  /// The same with only a batch callback and an error callback.
  SourceOutcome run(const std::function<void(BatchPtr)>& emit,
                    const std::function<void(const Error&)>& on_error = nullptr);

  /// The inputs, in reading order.
  [[nodiscard]] const std::vector<Input>& inputs() const { return inputs_; }
  /// Sum of the known input sizes, for progress.
  [[nodiscard]] std::uint64_t total_bytes() const override;
  /// Bytes read so far (any thread).
  [[nodiscard]] std::uint64_t bytes_read() const override { return bytes_read_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::string input_name(std::uint32_t index) const override {
    return index < inputs_.size() ? inputs_[index].path : std::string();
  }
  /// In the order of the input list; a name not in it is before none.
  [[nodiscard]] bool input_before(const std::string& a, const std::string& b) const override;
  /// Starts at input `input` (the inputs before it are not read); the records of that input
  /// before `seek` are read, and skipped by the targets. False when `input` is not in the list.
  bool resume_at(const std::string& input, std::uint64_t seek) override;

 private:
  // Returns false when the run must stop (stop flag).
  bool read_input(std::uint32_t index, const std::function<void(BatchPtr)>& emit, SourceOutcome& outcome);

  // The position of `name` in the input list, or -1.
  [[nodiscard]] int index_of(const std::string& name) const;

  std::vector<Input> inputs_;
  std::uint32_t first_input_ = 0;  // resume_at: where reading starts
  BatchPool& pool_;
  FormatRegistry registry_;
  std::atomic<std::uint64_t> bytes_read_{0};
};

}  // namespace pushcap::capture
