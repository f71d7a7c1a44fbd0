#include "capture/batch.h"

#include <cstring>

namespace pushcap::capture {

void Batch::reserve(std::size_t bytes, std::size_t keep) {
  if (bytes <= capacity) return;
  std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[bytes]);
  if (keep > 0) std::memcpy(bigger.get(), data.get(), keep);
  data = std::move(bigger);
  capacity = bytes;
}

BatchPool::BatchPool(std::size_t count, std::size_t bytes) : bytes_(bytes), count_(count) {}

std::shared_ptr<Batch> BatchPool::acquire() {
  std::unique_ptr<Batch> batch;
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !free_.empty() || allocated_ < count_; });
    if (!free_.empty()) {
      batch = std::move(free_.back());
      free_.pop_back();
    } else {
      batch = std::make_unique<Batch>();
      ++allocated_;
    }
  }
  // A buffer grown for one huge record goes back to the normal size, keeping the pool bounded.
  if (batch->capacity != bytes_) {
    batch->data.reset(new std::uint8_t[bytes_]);
    batch->capacity = bytes_;
  }
  batch->size = 0;
  batch->records.clear();
  batch->formats.reset();
  batch->input = 0;
  batch->file_offset = 0;
  return {batch.release(), [this](Batch* b) { release(b); }};
}

void BatchPool::release(Batch* batch) {
  std::unique_ptr<Batch> owned(batch);
  owned->formats.reset();
  {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(owned));
  }
  available_.notify_one();
}

}  // namespace pushcap::capture
