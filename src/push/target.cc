#include "push/target.h"

#include <fmt/format.h>

#include "core/pcap_format.h"

namespace pushcap::push {
namespace {

const char* res_name(capture::TsResolution r) {
  return r == capture::TsResolution::kNano ? "ns" : "us";
}

}  // namespace

Target::Target(config::TargetConfig config, Closer& closer, hooks::ScriptPool& scripts, TargetLogs logs)
    : config_(std::move(config)),
      log_(config_.desc, logs),
      checkpoints_(config_.desc),
      path_(config_, log_),
      policy_(config_.spec) {
  delivery_ = make_delivery(DeliveryContext{config_, closer, scripts, counters_, log_, checkpoints_});
  encoded_ = config_.compression.active() || !config_.pipe_cmd.empty() ||
             (config_.mode == config::Mode::kRclone && config_.rclone.stream);
}

Target::~Target() = default;

void Target::post(capture::BatchPtr batch) {
  queue_.push({std::move(batch), 0});
}

void Target::post_watermark(std::uint64_t ts) {
  queue_.push({nullptr, ts});
}

void Target::run() {
  while (auto taken = queue_.pop()) {
    queue_.done(taken->weight);
    const Item& item = taken->item;
    if (!item.batch) {
      on_watermark(item.watermark);
    } else if (hurry_.load(std::memory_order_relaxed)) {
      BatchTally tally;
      tally.seen = item.batch->records.size();
      tally.dropped[static_cast<std::size_t>(DropReason::kInterrupted)] = tally.seen;
      counters_.add(tally);
    } else {
      process(*item.batch);
    }
  }
  // End of input (or a signal): every open split is finalised.
  publish_open_splits();
}

void Target::process(const capture::Batch& batch) {
  // A split that failed on another thread (closer, uploader) stops the target here, on its own.
  if (!failed_ && counters_.failed()) fail_target("an earlier split failed");
  BatchTally tally;
  std::size_t first = 0;
  if (auto skip = checkpoints_.first_to_process(batch, log_); skip) {
    first = *skip;
  } else {
    fail_target(skip.error().message());
  }
  for (std::size_t index = first; index < batch.records.size(); ++index) {
    const capture::Record& r = batch.records[index];
    ++tally.seen;
    if (failed_) {
      tally.drop(DropReason::kWriteFailed);
      continue;
    }
    PathFrame frame;
    DropReason reason{};
    switch (path_.apply(batch, r, frame, reason)) {
      case Verdict::kFiltered:
        ++tally.filtered;
        continue;
      case Verdict::kDrop:
        tally.drop(reason);
        continue;
      case Verdict::kWrite:
        break;
    }
    Stream& stream = stream_for(*frame.output);
    advance_period(frame.ts);
    write(stream, batch, r, frame, tally);
  }
  end_batch(batch, tally);
}

void Target::advance_period(std::uint64_t ts) {
  switch (policy_.classify(ts)) {
    case split::SplitPolicy::TimeStep::kSame:
      return;
    case split::SplitPolicy::TimeStep::kFirst:
      policy_.open_period(ts);
      return;
    case split::SplitPolicy::TimeStep::kJumpedBack:
      log_.warn(
          fmt::format("timestamp jumped back by {:.3f} s (more than one split period) at packet ts {}; "
                      "the open split is closed and a new one started for it",
                      static_cast<double>(policy_.start() - ts) / 1e9, ts));
      [[fallthrough]];
    case split::SplitPolicy::TimeStep::kNextPeriod:
      close_all(ts);
      policy_.open_period(ts);
      return;
  }
}

bool Target::write(Stream& stream, const capture::Batch& batch, const capture::Record& r, const PathFrame& frame,
                   BatchTally& tally) {
  OpenSplit& split = stream.open;
  const std::uint64_t record_bytes = pcap::kRecordHeaderSize + frame.caplen;
  if (split.is_open() && split.full(policy_, record_bytes)) close_split(stream, frame.ts);
  if (!split.is_open() && !open_split(stream, frame.ts)) {
    tally.drop(failed_ ? DropReason::kWriteFailed : DropReason::kInterrupted);
    return false;
  }
  if (auto w = split.add(batch, r, frame); !w) {
    fail_target(w.error().message());
    tally.drop(DropReason::kWriteFailed);
    return false;
  }
  ++tally.accepted;
  tally.accepted_bytes += record_bytes;
  tally.last_ts = frame.ts;
  return true;
}

void Target::end_batch(const capture::Batch& batch, const BatchTally& tally) {
  for (auto& s : streams_) {
    if (s.open.is_open() && !failed_) {
      if (auto w = s.open.end_batch(); !w) fail_target(w.error().message());
    }
  }
  counters_.add(tally);
  if (!batch.records.empty()) counters_.progress(batch.records.back().ts_ns);
  if (path_.decodes()) counters_.set_decap(path_.decap_counters(), true);
}

void Target::on_watermark(std::uint64_t ts) {
  counters_.progress(ts);
  if (failed_ || !policy_.watermark_closes(ts)) return;
  // No packet of the open period can still come: publish it now.
  publish_open_splits();
  policy_.close_period();
}

Target::Stream& Target::stream_for(OutputFormat& out) {
  if (out.stream >= 0) return streams_[static_cast<std::size_t>(out.stream)];
  const capture::LinkFormat& format = out.format;
  // Formats that differ only in snap length share a file; link type or resolution do not.
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].format.linktype == format.linktype && streams_[i].format.resolution == format.resolution) {
      out.stream = static_cast<std::int16_t>(i);
      return streams_[i];
    }
  }
  Stream s;
  s.format = format;
  if (!streams_.empty()) {
    s.tag = fmt::format("_dlt{}_{}", format.linktype, res_name(format.resolution));
    const char* name = capture::linktype_name(format.linktype);
    log_.warn(fmt::format("packets of a second output format (link type {}{}, {} timestamps) go to files named *{}{}",
                          format.linktype, name != nullptr ? fmt::format(" {}", name) : "", res_name(format.resolution),
                          s.tag, config_.spec.suffix));
  }
  streams_.push_back(std::move(s));
  out.stream = static_cast<std::int16_t>(streams_.size() - 1);
  return streams_.back();
}

bool Target::open_split(Stream& stream, std::uint64_t ts) {
  // A target that failed (a split just closed with an error) takes no more packets: a split
  // opened now would be published with the packets after the failure, not a whole period.
  if (failed_) return false;
  auto output = delivery_->open(policy_.times(ts, ts), stream.tag);
  if (!output) {
    fail_target(output.error().message());
    return false;
  }
  if (*output == nullptr) return false;  // a signal came while waiting for room
  SplitOutput& out = **output;
  log_.line(fmt::format("{} : New Split", out.file() != nullptr ? out.file()->path() : out.place.remote_tmp));
  stream.open.start(std::move(*output), stream.format, encoded_, path_.changes_packets());
  return true;
}

void Target::close_split(Stream& stream, std::uint64_t closing_ts) {
  OpenSplit& split = stream.open;
  if (!split.is_open()) return;
  if (auto w = split.finish(); !w) {
    const std::uint64_t packets = split.packets();
    std::unique_ptr<SplitOutput> out = split.take();
    const std::string fate = delivery_->abandon(*out);
    counters_.lost_split(packets, DropReason::kWriteFailed);
    fail_target(fmt::format("{}; the incomplete split ({} packets) was {}", w.error().message(), packets, fate));
    return;
  }
  SplitHandover handover;
  handover.times = policy_.times(split.first_ts(), split.last_ts());
  handover.facts = split.facts(handover.times, closing_ts);
  handover.tag = stream.tag;
  if (checkpoints_.active()) handover.resume = checkpoints_.resume_after(split.last(), open_firsts_except(stream));
  delivery_->deliver(split.take(), std::move(handover));
}

std::vector<SourcePos> Target::open_firsts_except(const Stream& closing) const {
  std::vector<SourcePos> firsts;
  for (const auto& s : streams_) {
    if (&s != &closing && s.open.is_open()) firsts.push_back(s.open.first());
  }
  return firsts;
}

void Target::close_all(std::uint64_t closing_ts) {
  for (auto& s : streams_) close_split(s, closing_ts);
}

void Target::publish_open_splits() {
  for (auto& s : streams_) {
    if (s.open.is_open()) close_split(s, s.open.last_ts());
  }
}

void Target::fail_target(const std::string& message) {
  if (!failed_) {
    failed_ = true;
    // Whatever is open now cannot be trusted to complete: given up (kept as .failed, or
    // removed when the next run writes it again from the checkpoint).
    for (auto& s : streams_) {
      if (!s.open.is_open()) continue;
      const std::uint64_t packets = s.open.packets();
      std::unique_ptr<SplitOutput> out = s.open.take();
      const std::string fate = delivery_->abandon(*out);
      counters_.lost_split(packets, DropReason::kWriteFailed);
      log_.line(fmt::format("incomplete split ({} packets) {}", packets, fate));
    }
  }
  counters_.fail(message);
  log_.error(message);
}

TargetStats Target::stats() const {
  TargetStats s;
  counters_.fill(s);
  s.decap_active = s.decap_active || path_.decodes();
  delivery_->fill(s);
  return s;
}

}  // namespace pushcap::push
