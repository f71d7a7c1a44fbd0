#pragma once
// Chunks of classic pcap records (16-byte little-endian nanosecond headers, then bytes), the
// unit the capture threads hand to the stream writer. A fixed pool of them bounds memory: a
// capture thread that finds the pool empty drops the packet and counts it (the writer is behind),
// it never waits, so capture never blocks on the disk or on a reader.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace pushcap::store {

/// One buffer of whole records.
struct RecordChunk {
  std::unique_ptr<std::uint8_t[]> data;
  std::size_t capacity = 0;
  std::size_t size = 0;
  std::uint32_t packets = 0;
  std::int64_t started_mono = 0;  ///< when its first record was added
};

/// A fixed set of chunks. Thread-safe.
class ChunkPool {
 public:
  ChunkPool(std::size_t count, std::size_t bytes);
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;
  /// A free, empty chunk, or nullptr when all are in use (never waits).
  RecordChunk* try_acquire();
  /// Returns a chunk to the pool.
  void release(RecordChunk* chunk);
  [[nodiscard]] std::size_t chunk_bytes() const { return bytes_; }

 private:
  std::size_t bytes_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RecordChunk>> all_;
  std::vector<RecordChunk*> free_;
};

/// Full (or aged) chunks on their way to the writer. Thread-safe.
class ChunkQueue {
 public:
  void push(RecordChunk* chunk);
  /// Moves every queued chunk into `out`, waiting up to `limit` for the first one.
  void take_all(std::vector<RecordChunk*>& out, std::chrono::milliseconds limit);

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<RecordChunk*> queue_;
};

}  // namespace pushcap::store
