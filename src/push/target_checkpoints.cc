#include "push/target_checkpoints.h"

#include <fmt/format.h>

#include "core/pcap_format.h"

namespace pushcap::push {

SourcePos SourcePos::of(const capture::Batch& batch, const capture::Record& r) {
  SourcePos p;
  p.input = batch.input;
  p.data = batch.file_offset + r.offset;
  p.start = (r.flags & capture::kHasPcapHeader) != 0 ? p.data - pcap::kRecordHeaderSize : 0;
  return p;
}

void TargetCheckpoints::use(CheckpointFile file, const capture::Source* source, const std::optional<Checkpoint>& last,
                            TargetCounters* counters) {
  std::lock_guard lock(mutex_);
  file_ = std::move(file);
  source_ = source;
  counters_ = counters;
  if (last) {
    resume_ = last->resume;
    splits_ = last->splits;
    started_ = true;
  }
}

void TargetCheckpoints::release() {
  std::lock_guard lock(mutex_);
  file_.reset();
  if (!broken_) broken_ = "the target was retired; its checkpoint file is closed";
}

void TargetCheckpoints::hold(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (!broken_) broken_ = why;
}

Result<std::size_t> TargetCheckpoints::first_to_process(const capture::Batch& batch, const TargetLog& log) {
  if (source_ == nullptr) return std::size_t{0};
  std::size_t first = 0;
  if (resume_) {
    const std::string key = source_->input_name(batch.input);
    if (source_->input_before(key, resume_->input)) {
      first = batch.records.size();
    } else if (key == resume_->input) {
      while (first < batch.records.size() && batch.file_offset + batch.records[first].offset < resume_->skip_below) {
        ++first;
      }
      if (first < batch.records.size()) resume_.reset();
    } else {
      resume_.reset();
    }
    if (counters_ != nullptr) counters_->resume_skipped(first);
    if (!resume_ && counters_ != nullptr) {
      log.line(fmt::format("resumed from the checkpoint: {} records published before the restart were skipped",
                           counters_->resume_skipped()));
    }
  }
  if (!started_ && first < batch.records.size()) {
    // A target without a checkpoint saves one at its first record, before any split exists: a
    // crash before its first publication then resumes here too, instead of where others resume.
    started_ = true;
    const SourcePos at = SourcePos::of(batch, batch.records[first]);
    Checkpoint cp;
    cp.resume.input = source_->input_name(batch.input);
    cp.resume.skip_below = at.data;
    cp.resume.seek = at.start;
    std::lock_guard lock(mutex_);
    if (auto r = save(std::move(cp), false); !r) return fail(r.error());
  }
  return first;
}

ResumePoint TargetCheckpoints::resume_after(const SourcePos& last, const std::vector<SourcePos>& open_firsts) const {
  SourcePos at = last;
  bool after = true;  // resume after `at`, not at it
  for (const SourcePos& first : open_firsts) {
    if (first.before(at) || (after && first.input == at.input && first.data == at.data)) {
      at = first;
      after = false;
    }
  }
  ResumePoint rp;
  rp.input = source_->input_name(at.input);
  rp.seek = at.start;
  rp.skip_below = after ? at.data + 1 : at.data;
  return rp;
}

Result<void> TargetCheckpoints::save_publishing(const ResumePoint& resume, const std::string& pending_path) {
  static constexpr std::string_view kPending = ".pending";
  Checkpoint cp;
  cp.resume = resume;
  cp.publishing = pending_path;
  if (pending_path.ends_with(kPending)) cp.final_path = pending_path.substr(0, pending_path.size() - kPending.size());
  std::lock_guard lock(mutex_);
  return save(std::move(cp), true);
}

void TargetCheckpoints::stream_handed(const std::string& remote_base, const ResumePoint& resume) {
  std::lock_guard lock(mutex_);
  streamed_.push_back({remote_base, resume, false});
}

Result<void> TargetCheckpoints::stream_uploaded(const std::string& remote_base) {
  // Streamed uploads may finish out of order: the checkpoint moves past a split only once every
  // split before it is uploaded too.
  std::lock_guard lock(mutex_);
  for (auto& s : streamed_) {
    if (s.remote_base == remote_base) s.done = true;
  }
  std::optional<ResumePoint> upto;
  while (!streamed_.empty() && streamed_.front().done) {
    upto = streamed_.front().resume;
    streamed_.pop_front();
  }
  if (!upto) return {};
  Checkpoint cp;
  cp.resume = *upto;
  return save(std::move(cp), true);
}

Result<void> TargetCheckpoints::save(Checkpoint cp, bool published_split) {
  if (broken_) return fail(Errc::kIo, "checkpoint not saved: " + *broken_);
  if (!file_) return fail(Errc::kIo, "checkpoint not saved: no checkpoint file");
  cp.target = desc_;
  cp.splits = published_split ? splits_ + 1 : splits_;
  if (auto r = file_->save(cp); !r) {
    Error e = r.error().context("checkpoint");
    broken_ = e.message();
    return fail(std::move(e));
  }
  splits_ = cp.splits;
  return {};
}

}  // namespace pushcap::push
