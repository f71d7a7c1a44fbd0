#include "push/target.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "core/endian.h"

namespace pushcap::push {
namespace {

// Classic pcap holds 32-bit unsigned seconds.
constexpr std::uint64_t kMaxPcapTs = (std::uint64_t{1} << 32) * 1'000'000'000u;

// A file's records must fit its header's snap length, or readers cut them short: a packet decap
// changed (a synthesized Ethernet header on raw IP) may be longer than the input's snap length.
Result<void> raise_snaplen(sink::PendingFile& file, std::uint32_t snaplen) {
  std::uint8_t field[4];
  store_le<std::uint32_t>(field, snaplen);
  if (::pwrite(file.fd(), field, sizeof field, 16) != static_cast<ssize_t>(sizeof field)) {
    return fail(Errc::kIo, fmt::format("cannot update the snap length in the header of {}: {}", file.path(),
                                       std::strerror(errno)));
  }
  return {};
}

const char* res_name(capture::TsResolution r) {
  return r == capture::TsResolution::kNano ? "ns" : "us";
}

}  // namespace

Target::Target(config::TargetConfig config, Closer& closer, TargetLogs logs)
    : config_(std::move(config)),
      closer_(closer),
      logs_(logs),
      namer_(config_.spec, config_.prefix),
      policy_(config_.spec) {
  has_filter_ = !filter::selects_everything(config_.filter_bpf);
  if (auto ff = filter::FrameFilter::parse(config_.filter_frame); ff) {  // checked when the config was loaded
    frame_filter_ = std::move(*ff);
    has_frame_filter_ = !frame_filter_.empty();
  }
  decap::DecapOptions options = config_.decap;
  options.decode_tags = options.decode_tags || frame_filter_.needs_layers();
  if (options.active()) pipeline_.emplace(std::move(options));
}

void Target::post(capture::BatchPtr batch) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(batch), 0});
  }
  ready_.notify_one();
}

void Target::post_watermark(std::uint64_t ts) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({nullptr, ts});
  }
  ready_.notify_one();
}

void Target::post_end() {
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
  }
  ready_.notify_one();
}

void Target::run() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return ended_ || !queue_.empty(); });
      if (queue_.empty()) break;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!item.batch) {
      on_watermark(item.watermark);
      continue;
    }
    const capture::BatchPtr& batch = item.batch;
    if (hurry_.load(std::memory_order_relaxed)) {
      seen_.fetch_add(batch->records.size(), std::memory_order_relaxed);
      dropped_[static_cast<std::size_t>(DropReason::kInterrupted)].fetch_add(batch->records.size(),
                                                                             std::memory_order_relaxed);
      continue;
    }
    process(*batch);
  }
  // End of input (or a signal): every open split is finalised.
  publish_open_splits();
}

void Target::publish_open_splits() {
  // With no later packet, a split's closing packet is its own last one.
  for (auto& s : streams_) {
    if (s.open.file) close_split(s, s.open.last_ts);
  }
}

void Target::on_watermark(std::uint64_t ts) {
  if (failed_ || !policy_.watermark_closes(ts)) return;
  // No packet of the open period can still come: publish it now.
  publish_open_splits();
  policy_.close_period();
}

Target::Output& Target::output_for(capture::FormatId id, const capture::LinkFormat& input, bool converted) {
  auto& map = output_of_format_[converted ? 1 : 0];
  if (id < map.size() && map[id] >= 0) return outputs_[static_cast<std::size_t>(map[id])];
  if (id >= map.size()) map.resize(id + 1u, -1);
  Output out;
  out.format = input;
  out.format.interface_name.clear();
  if (converted) {
    // De-encapsulated packets are Ethernet; their bytes no longer follow the input's byte order.
    out.format.linktype = 1;
    out.format.swapped = false;
  }
  if (pipeline_ && (pipeline_->options().hw_timestamp || pipeline_->options().src_mac_timestamp)) {
    out.format.resolution = capture::TsResolution::kNano;  // hardware time has nanoseconds to keep
  }
  outputs_.push_back(std::move(out));
  map[id] = static_cast<std::int16_t>(outputs_.size() - 1);
  return outputs_.back();
}

const filter::BpfProgram* Target::program_for(Output& out) {
  if (out.program_state == 0) {
    const capture::LinkFormat& format = out.format;
    auto prog = filter::BpfProgram::compile(config_.filter_bpf, format.linktype, format.snaplen, format.swapped);
    if (prog) {
      out.program = std::move(*prog);
      out.program_state = 1;
    } else {
      out.program_state = 2;
      const char* name = capture::linktype_name(format.linktype);
      warn(fmt::format("FilterBPF \"{}\" does not compile for link type {}{}: {}; its packets are counted as '{}'",
                       config_.filter_bpf, format.linktype, name != nullptr ? fmt::format(" ({})", name) : "",
                       prog.error().message(), drop_reason_name(DropReason::kFilterLinktype)));
    }
  }
  return out.program_state == 1 ? &*out.program : nullptr;
}

Target::Stream& Target::stream_for(Output& out) {
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
    warn(fmt::format("packets of a second output format (link type {}{}, {} timestamps) go to files named *{}{}",
                     format.linktype, name != nullptr ? fmt::format(" {}", name) : "", res_name(format.resolution),
                     s.tag, config_.spec.suffix));
  }
  streams_.push_back(std::move(s));
  out.stream = static_cast<std::int16_t>(streams_.size() - 1);
  return streams_.back();
}

void Target::process(const capture::Batch& batch) {
  const auto& formats = *batch.formats;
  std::uint64_t seen = 0, filtered = 0, accepted = 0, accepted_bytes = 0, last_ts = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::kCount)> dropped{};
  auto drop = [&](DropReason r) { ++dropped[static_cast<std::size_t>(r)]; };

  // A split that failed on the closer thread stops the target here, on its own thread.
  if (!failed_ && closer_failed_.load(std::memory_order_acquire)) fail_target("an earlier split failed");
  for (const capture::Record& r : batch.records) {
    ++seen;
    if (failed_) {
      drop(DropReason::kWriteFailed);
      continue;
    }
    const capture::LinkFormat& format = formats[r.format];
    // The packet as this target sees it: trailer removed, de-encapsulated, hardware time.
    const std::uint8_t* data = batch.packet(r);
    std::uint32_t caplen = r.caplen;
    std::uint32_t wirelen = r.wirelen;
    std::uint64_t ts = r.ts_ns;
    bool changed = false;
    bool converted = false;
    if (pipeline_ || has_frame_filter_) {
      tags_.clear();
      tags_.add(decap::TagKey::kCapturePort, r.interface);
      if (pipeline_) {
        const decap::Frame f = pipeline_->apply(data, caplen, wirelen, ts, format.linktype, tags_);
        data = f.data;
        caplen = f.caplen;
        wirelen = f.wirelen;
        ts = f.ts_ns;
        changed = f.changed;
        converted = f.linktype != format.linktype;
      }
      if (has_frame_filter_ && !frame_filter_.match(tags_, format.interface_name)) {
        ++filtered;
        continue;
      }
    }
    Output& out = output_for(r.format, format, converted);
    if (has_filter_) {
      const filter::BpfProgram* prog = program_for(out);
      if (prog == nullptr) {
        drop(DropReason::kFilterLinktype);
        continue;
      }
      // libpcap shows a filter at most snaplen bytes, as tcpdump sees them.
      const std::uint32_t snap = out.format.snaplen;
      std::uint32_t clen = snap != 0 && caplen > snap ? snap : caplen;
      if (!prog->match(data, clen, wirelen)) {
        ++filtered;
        continue;
      }
    }
    // Checked after the filter, so a filter's match count does not depend on the output format.
    const bool overflow = ts == r.ts_ns && (r.flags & capture::kTsOverflow) != 0;
    if (overflow || ts >= kMaxPcapTs) {
      drop(DropReason::kTsUnrepresentable);
      continue;
    }
    Stream& stream = stream_for(out);
    switch (policy_.classify(ts)) {
      case split::SplitPolicy::TimeStep::kSame:
        break;
      case split::SplitPolicy::TimeStep::kFirst:
        policy_.open_period(ts);
        break;
      case split::SplitPolicy::TimeStep::kJumpedBack:
        warn(
            fmt::format("timestamp jumped back by {:.3f} s (more than one split period) at packet ts {}; "
                        "the open split is closed and a new one started for it",
                        static_cast<double>(policy_.start() - ts) / 1e9, ts));
        [[fallthrough]];
      case split::SplitPolicy::TimeStep::kNextPeriod:
        close_all(ts);
        policy_.open_period(ts);
        break;
    }
    OpenFile& f = stream.open;
    const std::uint64_t rec_bytes = split::kPcapRecordHeader + caplen;
    if (f.file && policy_.file_full(f.file_bytes, f.packets, rec_bytes)) close_split(stream, ts);
    if (!f.file && !open_split(stream, ts)) {
      drop(DropReason::kWriteFailed);
      continue;
    }
    if (auto w = changed ? f.writer.add_frame(ts, data, caplen, wirelen) : f.writer.add(batch, r); !w) {
      fail_target(w.error().message());
      drop(DropReason::kWriteFailed);
      continue;
    }
    f.file_bytes += rec_bytes;
    // Only packets decap made may outgrow the header; a record longer than its own input's snap
    // length is copied as it came (readers cut it as they cut the input).
    if (changed && caplen > f.max_caplen) f.max_caplen = caplen;
    if (f.packets == 0) f.first_ts = ts;
    ++f.packets;
    f.last_ts = ts;
    ++accepted;
    accepted_bytes += rec_bytes;
    last_ts = ts;
  }
  for (auto& s : streams_) {
    if (s.open.file && !failed_) {
      if (auto w = s.open.writer.end_batch(); !w) fail_target(w.error().message());
    }
  }
  seen_.fetch_add(seen, std::memory_order_relaxed);
  filtered_.fetch_add(filtered, std::memory_order_relaxed);
  accepted_.fetch_add(accepted, std::memory_order_relaxed);
  accepted_bytes_.fetch_add(accepted_bytes, std::memory_order_relaxed);
  if (accepted != 0) last_ts_.store(last_ts, std::memory_order_relaxed);
  if (pipeline_) {
    std::lock_guard lock(decap_mutex_);
    decap_published_ = pipeline_->counters();
  }
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    if (dropped[i] != 0) dropped_[i].fetch_add(dropped[i], std::memory_order_relaxed);
  }
}

bool Target::open_split(Stream& stream, std::uint64_t ts) {
  OpenFile& f = stream.open;
  f.packets = 0;
  f.first_ts = f.last_ts = ts;
  const split::SplitTimes times = policy_.times(ts, ts);
  auto file = sink::PendingFile::create([&](unsigned serial) { return namer_.path(times, stream.tag, serial); });
  if (!file) {
    fail_target(file.error().message());
    return false;
  }
  f.file = std::move(*file);
  f.writer.start(f.file->fd(), stream.format, f.file->path());
  f.header_snaplen = stream.format.snaplen == 0 ? capture::kMaxSnaplen : stream.format.snaplen;
  f.max_caplen = 0;
  f.file_bytes = split::kPcapFileHeader;
  f.opened_wall = wall_ns();
  if (logs_.target != nullptr) logs_.target->line(fmt::format("{} : New Split", f.file->path()));
  return true;
}

void Target::close_split(Stream& stream, std::uint64_t closing_ts) {
  OpenFile& f = stream.open;
  if (!f.file) return;
  sink::PendingFile file = std::move(*f.file);
  f.file.reset();
  Result<void> w = f.writer.flush();
  if (w && f.max_caplen > f.header_snaplen) w = raise_snaplen(file, f.max_caplen);
  if (!w) {
    std::string abandoned = file.abandon();
    count_lost_split(f.packets);
    fail_target(w.error().message() + " (the incomplete split was kept as " + abandoned + ")");
    return;
  }
  const split::SplitTimes times = policy_.times(f.first_ts, f.last_ts);
  const std::string tag = stream.tag;
  const std::uint64_t packets = f.packets;
  const std::uint64_t file_bytes = f.file_bytes;
  const std::uint64_t first = f.first_ts;
  const std::uint64_t last = f.last_ts;
  const std::int64_t wall_open = wall_ns() - f.opened_wall;
  ClosingSplit closing{std::move(file), [this, times, tag](unsigned serial) { return namer_.path(times, tag, serial); },
                       config_.spec.owner, file_bytes, nullptr};
  closing.done = [this, times, packets, file_bytes, first, last, wall_open, closing_ts](Result<std::string> final_path,
                                                                                        sink::PendingFile& pending) {
    if (!final_path && pending.published().empty()) {
      std::string kept = pending.abandon();
      count_lost_split(packets);
      record_failure(fmt::format("{}; the split ({} packets) was not published and was kept as {}",
                                 final_path.error().message(), packets, kept));
      return;
    }
    if (!final_path) {
      // The file is complete under its final name; only the directory sync failed. It counts as
      // published, and the target stops because the disk is failing.
      record_failure(final_path.error().message());
      final_path = pending.published();
    }
    published_.fetch_add(packets, std::memory_order_relaxed);
    published_bytes_.fetch_add(file_bytes, std::memory_order_relaxed);
    splits_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t record_bytes = file_bytes - split::kPcapFileHeader;
    if (logs_.target != nullptr) {
      logs_.target->line(fmt::format(
          "{} : Finished : Split Bytes {} ({:.3f} GB) Split Pkts: {} WallTime: {} PCAPTime: {}", *final_path,
          record_bytes, static_cast<double>(record_bytes) / 1e9, packets, wall_open, last - first));
    }
    nlohmann::ordered_json event = {
        {"module", "pushcap"},     {"subsystem", "split"},   {"timestamp", wall_ns() / 1'000'000'000},
        {"Target", config_.desc},  {"Name", *final_path},    {"Bytes", record_bytes},
        {"FileBytes", file_bytes}, {"Packets", packets},     {"FirstTS", first},
        {"LastTS", last},          {"StartTS", times.start}, {"EndTS", times.end},
        {"ClosingTS", closing_ts}, {"WallNS", wall_open}};
    std::string text = event.dump();
    if (logs_.target != nullptr) logs_.target->json(text);
    if (logs_.main != nullptr) logs_.main->json(text);
  };
  closer_.submit(std::move(closing));
}

void Target::close_all(std::uint64_t closing_ts) {
  for (auto& s : streams_) close_split(s, closing_ts);
}

void Target::fail_target(const std::string& message) {
  if (!failed_) {
    failed_ = true;
    // Whatever is open now cannot be trusted to complete: keep it under a .failed name.
    for (auto& s : streams_) {
      if (s.open.file) {
        std::string kept = s.open.file->abandon();
        s.open.file.reset();
        count_lost_split(s.open.packets);
        if (logs_.target != nullptr) logs_.target->line("incomplete split kept as " + kept);
      }
    }
  }
  record_failure(message);
}

void Target::count_lost_split(std::uint64_t packets) {
  splits_failed_.fetch_add(1, std::memory_order_relaxed);
  dropped_[static_cast<std::size_t>(DropReason::kWriteFailed)].fetch_add(packets, std::memory_order_relaxed);
}

void Target::record_failure(const std::string& message) {
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = message;
  }
  closer_failed_.store(true, std::memory_order_release);
  std::string text = fmt::format("target '{}': error: {}", config_.desc, message);
  if (logs_.target != nullptr) logs_.target->line(text);
  if (logs_.main != nullptr) logs_.main->line(text);
  if (logs_.echo_stderr) std::fprintf(stderr, "pushcap: %s\n", text.c_str());
}

void Target::warn(const std::string& message) {
  std::string text = fmt::format("target '{}': warning: {}", config_.desc, message);
  if (logs_.target != nullptr) logs_.target->line(text);
  if (logs_.main != nullptr) logs_.main->line(text);
  if (logs_.echo_stderr) std::fprintf(stderr, "pushcap: %s\n", text.c_str());
}

TargetStats Target::stats() const {
  TargetStats s;
  s.seen = seen_.load(std::memory_order_relaxed);
  s.filtered = filtered_.load(std::memory_order_relaxed);
  s.accepted = accepted_.load(std::memory_order_relaxed);
  s.accepted_bytes = accepted_bytes_.load(std::memory_order_relaxed);
  s.published = published_.load(std::memory_order_relaxed);
  s.published_bytes = published_bytes_.load(std::memory_order_relaxed);
  s.splits = splits_.load(std::memory_order_relaxed);
  s.splits_failed = splits_failed_.load(std::memory_order_relaxed);
  s.last_ts = last_ts_.load(std::memory_order_relaxed);
  s.decap_active = pipeline_.has_value() || has_frame_filter_;
  {
    std::lock_guard lock(decap_mutex_);
    s.decap = decap_published_;
  }
  for (std::size_t i = 0; i < s.dropped.size(); ++i) s.dropped[i] = dropped_[i].load(std::memory_order_relaxed);
  std::lock_guard lock(failure_mutex_);
  s.failure = failure_;
  s.failed = !failure_.empty();
  return s;
}

}  // namespace pushcap::push
