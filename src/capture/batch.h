#pragma once
// A batch: one large buffer of input bytes plus the index of the records in it. Built once by
// the reader, then shared read-only by every target (DESIGN.md, Architecture). Batches come
// from a fixed-size pool, so the memory in flight is bounded and a slow target slows the reader.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "capture/link_format.h"
#include "capture/record.h"

namespace pushcap::capture {

/// A buffer of input bytes and the records indexed in it.
struct Batch {
  std::unique_ptr<std::uint8_t[]> data;  ///< the bytes; records point into it by offset
  std::size_t capacity = 0;              ///< allocated size of `data`
  std::size_t size = 0;                  ///< bytes filled
  std::vector<Record> records;           ///< the packets, in file order
  FormatTablePtr formats;                ///< resolves Record::format
  std::uint32_t input = 0;               ///< index of the input this batch was read from
  std::uint64_t file_offset = 0;         ///< offset of data[0] in that input

  /// Grows the buffer to at least `bytes`, keeping the first `keep` bytes.
  void reserve(std::size_t bytes, std::size_t keep);
  /// Pointer to a record's packet bytes.
  [[nodiscard]] const std::uint8_t* packet(const Record& r) const { return data.get() + r.offset; }
};

using BatchPtr = std::shared_ptr<const Batch>;

/// A fixed number of reusable batches; acquire() blocks while all are in use.
/// Thread-safe. The pool must outlive every batch it handed out.
class BatchPool {
 public:
  /// `count` batches of `bytes` each (allocated lazily).
  BatchPool(std::size_t count, std::size_t bytes);
  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  /// A cleared batch; returned to the pool when the last shared_ptr to it goes.
  std::shared_ptr<Batch> acquire();

 private:
  void release(Batch* batch);

  std::size_t bytes_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Batch>> free_;
  std::size_t allocated_ = 0;
  std::size_t count_;
};

}  // namespace pushcap::capture
