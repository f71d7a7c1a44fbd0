#include "store/record_chunk.h"

namespace pushcap::store {

ChunkPool::ChunkPool(std::size_t count, std::size_t bytes) : bytes_(bytes) {
  for (std::size_t i = 0; i < count; ++i) {
    auto c = std::make_unique<RecordChunk>();
    c->data = std::make_unique<std::uint8_t[]>(bytes);
    c->capacity = bytes;
    free_.push_back(c.get());
    all_.push_back(std::move(c));
  }
}

RecordChunk* ChunkPool::try_acquire() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return nullptr;
  RecordChunk* c = free_.back();
  free_.pop_back();
  return c;
}

void ChunkPool::release(RecordChunk* chunk) {
  chunk->size = 0;
  chunk->packets = 0;
  chunk->started_mono = 0;
  std::lock_guard lock(mutex_);
  free_.push_back(chunk);
}

void ChunkQueue::push(RecordChunk* chunk) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(chunk);
  }
  ready_.notify_one();
}

void ChunkQueue::take_all(std::vector<RecordChunk*>& out, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, limit, [&] { return !queue_.empty(); });
  out.insert(out.end(), queue_.begin(), queue_.end());
  queue_.clear();
}

}  // namespace pushcap::store
