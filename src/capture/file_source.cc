#include "capture/file_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "capture/capture_parser.h"
#include "core/fd.h"
#include "core/interrupt.h"

namespace pushcap::capture {

std::uint64_t FileSource::total_bytes() const {
  std::uint64_t total = 0;
  for (std::size_t i = first_input_; i < inputs_.size(); ++i) total += inputs_[i].size;
  return total;
}

SourceOutcome FileSource::run(const std::function<void(BatchPtr)>& emit,
                              const std::function<void(const Error&)>& on_error) {
  SourceEvents events;
  events.batch = emit;
  events.error = on_error;
  return run(events);
}

int FileSource::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i].path == name) return static_cast<int>(i);
  }
  return -1;
}

bool FileSource::input_before(const std::string& a, const std::string& b) const {
  const int ia = index_of(a);
  const int ib = index_of(b);
  return ia >= 0 && ib >= 0 && ia < ib;
}

bool FileSource::resume_at(const std::string& input, std::uint64_t seek) {
  (void)seek;  // the parser needs the file's header first: the targets skip the records before
  const int index = index_of(input);
  if (index < 0) return false;
  first_input_ = static_cast<std::uint32_t>(index);
  return true;
}

SourceOutcome FileSource::run(const SourceEvents& events) {
  const std::function<void(BatchPtr)>& emit = events.batch;
  const std::function<void(const Error&)>& on_error = events.error;
  SourceOutcome outcome;
  for (std::uint32_t i = first_input_; i < inputs_.size(); ++i) {
    const std::size_t errors_before = outcome.errors.size();
    const bool go_on = read_input(i, emit, outcome);
    if (on_error && outcome.errors.size() > errors_before) on_error(outcome.errors.back());
    if (!go_on) {
      outcome.interrupted = true;
      break;
    }
  }
  return outcome;
}

bool FileSource::read_input(std::uint32_t index, const std::function<void(BatchPtr)>& emit, SourceOutcome& outcome) {
  const Input& input = inputs_[index];
  Fd owned;
  int fd = STDIN_FILENO;
  if (!input.is_stdin) {
    auto opened = open_file(input.path, O_RDONLY);
    if (!opened) {
      outcome.errors.push_back(opened.error().context("input"));
      return true;
    }
    owned = std::move(*opened);
    fd = owned.get();
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  std::unique_ptr<CaptureParser> parser;
  std::uint64_t offset = 0;         // file offset of the next batch's first byte
  std::vector<std::uint8_t> carry;  // bytes of an incomplete record carried to the next batch
  std::size_t need = 0;             // bytes the incomplete record needs in all
  bool eof = false;
  while (!eof) {
    if (interrupt_count().load() > 0) return false;
    std::shared_ptr<Batch> batch = pool_.acquire();
    // Room for the carried bytes plus at least one new byte, or for the whole incomplete record.
    batch->reserve(std::max(need, carry.size() + 1), 0);
    if (!carry.empty()) std::memcpy(batch->data.get(), carry.data(), carry.size());
    std::size_t filled = carry.size();
    auto got = read_full(fd, batch->data.get() + filled, batch->capacity - filled, input.path);
    if (!got) {
      outcome.errors.push_back(got.error().context("input"));
      return true;
    }
    bytes_read_.fetch_add(*got, std::memory_order_relaxed);
    filled += *got;
    // A read cut short by a signal is not the end of the input: parse what is whole, stop after.
    const bool interrupted = filled < batch->capacity && interrupt_count().load() > 0;
    eof = filled < batch->capacity && !interrupted;
    batch->size = filled;
    batch->input = index;
    batch->file_offset = offset;
    if (interrupted && !parser) return false;
    if (!parser && filled < 4 && !eof) {  // too few bytes yet to see the magic number
      carry.assign(batch->data.get(), batch->data.get() + filled);
      need = 4;
      continue;
    }
    if (!parser) {
      CaptureKind kind = detect_kind(batch->data.get(), filled);
      if (kind == CaptureKind::kUnknown) {
        if (input.from_directory) {
          outcome.skipped.push_back(input.path);
        } else if (filled < 4) {
          outcome.errors.push_back(
              Error(Errc::kDamagedCapture,
                    input.path + ": file is too short for a capture header (" + std::to_string(filled) + " bytes)"));
        } else {
          outcome.errors.push_back(
              Error(Errc::kDamagedCapture,
                    input.path + ": not a pcap or pcapng file (unknown magic number at byte offset 0)"));
        }
        return true;
      }
      parser = make_parser(kind, registry_);
    }
    ParseResult step = parser->parse(*batch, 0, filled, eof);
    batch->formats = registry_.snapshot();
    outcome.packets += batch->records.size();
    std::size_t consumed = step.consumed;
    carry.assign(batch->data.get() + consumed, batch->data.get() + filled);
    offset += consumed;
    need = step.next_need;
    if (!batch->records.empty()) emit(std::move(batch));
    if (step.error) {
      outcome.errors.push_back(step.error->context(input.path));
      return true;
    }
    if (interrupted) return false;
  }
  return true;
}

}  // namespace pushcap::capture
