#include "capture/incremental_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/fd.h"

namespace pushcap::capture {

Result<bool> IncrementalReader::seek(std::uint64_t offset) {
  if (offset == 0 || parser_) return offset == 0;
  std::uint8_t header[24];
  const ssize_t got = ::pread(fd_, header, sizeof header, 0);
  if (got < 0) return fail(Errc::kIo, fmt::format("cannot read {}: {}", path_, errno_text(errno)));
  if (got < 24 || detect_kind(header, static_cast<std::size_t>(got)) != CaptureKind::kPcap || offset < 24) {
    return false;
  }
  parser_ = make_parser(CaptureKind::kPcap, registry_);
  Batch scratch;
  scratch.reserve(24, 0);
  std::memcpy(scratch.data.get(), header, 24);
  scratch.size = 24;
  ParseResult r = parser_->parse(scratch, 0, 24, false);
  if (r.error || r.consumed != 24) {
    parser_.reset();
    return false;
  }
  offset_ = offset;
  return true;
}

bool IncrementalReader::read_to(std::uint64_t limit, BatchPool& pool,
                                const std::function<void(std::shared_ptr<Batch>)>& emit) {
  if (error_ || not_a_capture_) return false;
  while (read_position() < limit) {
    std::shared_ptr<Batch> batch = pool.acquire();
    batch->reserve(std::max(need_, carry_.size() + 1), 0);
    if (!carry_.empty()) std::memcpy(batch->data.get(), carry_.data(), carry_.size());
    std::size_t filled = carry_.size();
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(batch->capacity - filled, limit - read_position()));
    const ssize_t got = ::pread(fd_, batch->data.get() + filled, want, static_cast<off_t>(read_position()));
    if (got < 0) {
      if (errno == EINTR) continue;
      error_ = Error(Errc::kIo, fmt::format("cannot read {}: {}", path_, errno_text(errno)));
      return false;
    }
    if (got == 0) return true;  // shorter than the caller thought (cut by recovery): wait
    filled += static_cast<std::size_t>(got);
    batch->size = filled;
    batch->input = input_;
    batch->file_offset = offset_;
    if (!parser_) {
      if (filled < 4) {
        carry_.assign(batch->data.get(), batch->data.get() + filled);
        need_ = 4;
        continue;
      }
      const CaptureKind kind = detect_kind(batch->data.get(), filled);
      if (kind == CaptureKind::kUnknown) {
        not_a_capture_ = true;
        error_ =
            Error(Errc::kDamagedCapture, path_ + ": not a pcap or pcapng file (unknown magic number at byte offset 0)");
        return false;
      }
      parser_ = make_parser(kind, registry_);
    }
    ParseResult step = parser_->parse(*batch, 0, filled, false);
    batch->formats = registry_.snapshot();
    packets_ += batch->records.size();
    if (!batch->records.empty()) last_ts_ = batch->records.back().ts_ns;
    carry_.assign(batch->data.get() + step.consumed, batch->data.get() + filled);
    offset_ += step.consumed;
    need_ = step.next_need;
    if (!batch->records.empty()) emit(std::move(batch));
    if (step.error) {
      error_ = step.error->context(path_);
      return false;
    }
  }
  return true;
}

}  // namespace pushcap::capture
