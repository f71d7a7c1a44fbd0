#include "push/target.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "core/endian.h"
#include "core/interrupt.h"
#include "hooks/split_scripts.h"

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

Target::Target(config::TargetConfig config, Closer& closer, hooks::ScriptPool& scripts, TargetLogs logs)
    : config_(std::move(config)),
      closer_(closer),
      scripts_(scripts),
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
  plan_.compression = config_.compression;
  plan_.pipe_cmd = config_.pipe_cmd;
}

Target::~Target() = default;

Result<void> Target::start() {
  if (config_.mode != config::Mode::kRclone) return {};
  const config::RcloneTarget& rc = config_.rclone;
  sink::RcloneOptions ro;
  ro.config = rc.config;
  ro.extra_flags = rc.flags;
  ro.io_timeout = std::chrono::seconds(rc.timeout);
  ro.command_limit = std::chrono::seconds(std::max(10, rc.timeout * 2));
  ro.log = [this](const std::string& line) {
    if (logs_.target != nullptr) logs_.target->line(line);
  };
  // A bad RcloneFlags entry or config: the target stops as after a failed write (its spool
  // keeps what is complete), the run ends with an error naming it.
  ro.cannot_start = [this](const std::string& why) {
    rclone_unusable_.store(true, std::memory_order_release);
    record_failure(why);
  };
  rclone_ = std::make_unique<sink::Rclone>(ro);
  if (auto r = rclone_->start(); !r) return fail(r.error().context(fmt::format("target '{}'", config_.desc)));
  sink::UploaderEvents events;
  events.log = [this](const std::string& line) {
    if (logs_.target != nullptr) logs_.target->line(line);
  };
  events.retry = [this](const std::string& error) {
    upload_retries_.fetch_add(1, std::memory_order_relaxed);
    say("upload error (will retry)", error, false);  // the uploader logged it in the target's log
  };
  events.uploaded = [this](sink::SpoolEntry& entry, bool spooled) { on_uploaded(entry, spooled); };
  events.lost = [this](const sink::SpoolEntry& entry, const std::string& error) {
    count_lost_split(entry.split.packets, DropReason::kUploadFailed);
    say("error",
        fmt::format("streamed split {} ({} packets) is lost: {}", entry.remote_name(0), entry.split.packets, error));
  };
  if (rc.stream) {
    plan_.stream_to = rclone_.get();
  } else {
    auto spool = sink::Spool::open(rc.spool_dir, rc.spool_limit);
    if (!spool) return fail(spool.error().context("target '" + config_.desc + "'"));
    spool_ = std::move(*spool);
  }
  uploader_ = std::make_unique<sink::RcloneUploader>(*rclone_, spool_.get(), std::move(events),
                                                     std::chrono::seconds(rc.retry_max_delay),
                                                     static_cast<unsigned>(rc.transfers));
  if (spool_ && !spool_->resumed().empty()) {
    warn(fmt::format("{} splits ({} bytes) left in the spool {} by an earlier run are uploaded first",
                     spool_->resumed().size(), spool_->bytes(), spool_->dir()));
    for (const auto& e : spool_->resumed()) uploader_->enqueue(e);
  }
  return {};
}

void Target::use_checkpoints(CheckpointFile file, const capture::Source* source,
                             const std::optional<Checkpoint>& last) {
  checkpoint_ = std::move(file);
  source_ = source;
  if (last) {
    resume_ = last->resume;
    checkpoint_splits_ = last->splits;
    checkpoint_started_ = true;
  }
}

std::vector<std::string> Target::remove_stale_pending() {
  std::vector<std::string> removed;
  if (config_.mode != config::Mode::kFile) return removed;
  // Every local name this target makes starts with its prefix and ends in its suffix and
  // ".pending" while open.
  const std::string probe = namer_.path(policy_.times(0, 0), "", 0);
  const std::string dir = dir_name(probe);
  const std::string prefix = config_.prefix;
  const std::string base = prefix.size() > dir.size() && prefix.compare(0, dir.size(), dir) == 0
                               ? prefix.substr(dir.size() + (prefix[dir.size()] == '/' ? 1 : 0))
                               : prefix;
  const std::string pending_end = config_.spec.suffix + ".pending";
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > base.size() + pending_end.size() && n.compare(0, base.size(), base) == 0 &&
          n.ends_with(pending_end)) {
        const std::string path = dir + "/" + n;
        if (::unlink(path.c_str()) == 0) removed.push_back(path);
      }
    }
    ::closedir(d);
  }
  return removed;
}

void Target::finish_uploads(const std::function<bool()>& give_up) {
  if (!uploader_) return;
  if (uploader_->pending() != 0 && logs_.target != nullptr) {
    logs_.target->line(fmt::format("waiting for {} uploads", uploader_->pending()));
  }
  // Waiting is pointless when rclone cannot even start: what is spooled stays for the next run.
  uploader_->finish([&] {
    if (!give_up() && !rclone_unusable_.load(std::memory_order_acquire)) return false;
    // Interrupted: the steps in flight end now, not at their deadlines; what they were sending
    // stays in the spool.
    rclone_->stop();
    return true;
  });
  if (rclone_unusable_.load() && spool_ != nullptr && logs_.target != nullptr) {
    logs_.target->line(fmt::format("uploads abandoned: rclone cannot start; {} bytes stay in the spool {}",
                                   spool_->bytes(), spool_->dir()));
  }
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
    if (s.open.output) close_split(s, s.open.last_ts);
  }
}

void Target::on_watermark(std::uint64_t ts) {
  if (ts > progress_ts_.load(std::memory_order_relaxed)) progress_ts_.store(ts, std::memory_order_relaxed);
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
  const std::size_t first = resume_ ? skip_published(batch) : 0;
  if (checkpoint_ && !checkpoint_started_ && first < batch.records.size()) save_first_checkpoint(batch, first);
  for (std::size_t index = first; index < batch.records.size(); ++index) {
    const capture::Record& r = batch.records[index];
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
    if (f.output && policy_.file_full(f.file_bytes, f.packets, rec_bytes)) close_split(stream, ts);
    if (!f.output && !open_split(stream, ts)) {
      drop(failed_ ? DropReason::kWriteFailed : DropReason::kInterrupted);
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
    f.last.input = batch.input;
    f.last.data = batch.file_offset + r.offset;
    f.last.start = (r.flags & capture::kHasPcapHeader) != 0 ? f.last.data - split::kPcapRecordHeader : 0;
    if (f.packets == 0) {
      f.first_ts = ts;
      f.first = f.last;
    }
    ++f.packets;
    f.last_ts = ts;
    ++accepted;
    accepted_bytes += rec_bytes;
    last_ts = ts;
  }
  for (auto& s : streams_) {
    if (s.open.output && !failed_) {
      if (auto w = s.open.writer.end_batch(); !w) fail_target(w.error().message());
    }
  }
  seen_.fetch_add(seen, std::memory_order_relaxed);
  filtered_.fetch_add(filtered, std::memory_order_relaxed);
  accepted_.fetch_add(accepted, std::memory_order_relaxed);
  accepted_bytes_.fetch_add(accepted_bytes, std::memory_order_relaxed);
  if (accepted != 0) last_ts_.store(last_ts, std::memory_order_relaxed);
  if (!batch.records.empty() && batch.records.back().ts_ns > progress_ts_.load(std::memory_order_relaxed)) {
    progress_ts_.store(batch.records.back().ts_ns, std::memory_order_relaxed);
  }
  if (pipeline_) {
    std::lock_guard lock(decap_mutex_);
    decap_published_ = pipeline_->counters();
  }
  for (std::size_t i = 0; i < dropped.size(); ++i) {
    if (dropped[i] != 0) dropped_[i].fetch_add(dropped[i], std::memory_order_relaxed);
  }
}

void Target::save_stream_checkpoint(const std::string& remote_base) {
  // Streamed uploads may finish out of order: the checkpoint moves past a split only once every
  // split before it is uploaded too.
  std::lock_guard lock(stream_checkpoint_mutex_);
  for (auto& c : stream_checkpoints_) {
    if (c.remote_base == remote_base) c.done = true;
  }
  std::optional<ResumePoint> upto;
  while (!stream_checkpoints_.empty() && stream_checkpoints_.front().done) {
    upto = stream_checkpoints_.front().resume;
    stream_checkpoints_.pop_front();
  }
  if (!upto) return;
  Checkpoint cp;
  cp.target = config_.desc;
  cp.resume = *upto;
  cp.splits = ++checkpoint_splits_;
  if (auto r = checkpoint_->save(cp); !r) record_failure(r.error().context("checkpoint").message());
}

std::size_t Target::skip_published(const capture::Batch& batch) {
  const std::string key = source_->input_name(batch.input);
  std::size_t first = 0;
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
  resume_skipped_.fetch_add(first, std::memory_order_relaxed);
  if (!resume_ && logs_.target != nullptr) {
    logs_.target->line(fmt::format("resumed from the checkpoint: {} records published before the restart were skipped",
                                   resume_skipped_.load()));
  }
  return first;
}

void Target::save_first_checkpoint(const capture::Batch& batch, std::size_t index) {
  // A target without a checkpoint saves one at its first record, before any split exists: a
  // crash before its first publication then resumes here too, instead of where others resume.
  checkpoint_started_ = true;
  const capture::Record& r = batch.records[index];
  Checkpoint cp;
  cp.target = config_.desc;
  cp.resume.input = source_->input_name(batch.input);
  cp.resume.skip_below = batch.file_offset + r.offset;
  cp.resume.seek = (r.flags & capture::kHasPcapHeader) != 0 ? cp.resume.skip_below - split::kPcapRecordHeader : 0;
  if (auto w = checkpoint_->save(cp); !w) fail_target(w.error().context("checkpoint").message());
}

ResumePoint Target::resume_after(const Stream& closing) const {
  Pos at = closing.open.last;
  bool after = true;  // resume after `at`, not at it
  for (const auto& s : streams_) {
    if (&s == &closing || !s.open.output) continue;
    if (s.open.first.before(at) || (after && s.open.first.input == at.input && s.open.first.data == at.data)) {
      at = s.open.first;
      after = false;
    }
  }
  ResumePoint rp;
  rp.input = source_->input_name(at.input);
  rp.seek = at.start;
  rp.skip_below = after ? at.data + 1 : at.data;
  return rp;
}

sink::NameFn Target::local_names(const split::SplitTimes& times, const std::string& tag,
                                 std::uint64_t spool_seq) const {
  if (spool_) {
    // An RCLONE split is spooled under its remote file name, in a folder of its own.
    std::string dir = spool_->entry_dir(spool_seq);
    std::string name = sink::split_remote(namer_.path(times, tag, 0)).second;
    return
        [dir, name](unsigned serial) { return dir + "/" + name + (serial == 0 ? "" : "_" + std::to_string(serial)); };
  }
  return [this, times, tag](unsigned serial) { return namer_.path(times, tag, serial); };
}

bool Target::wait_for_spool() {
  if (spool_->bytes() < spool_->limit()) return true;
  spool_waits_.fetch_add(1, std::memory_order_relaxed);
  warn(fmt::format("the spool {} is full ({} of {} bytes): reading waits until uploads make room", spool_->dir(),
                   spool_->bytes(), spool_->limit()));
  const std::int64_t started = mono_ns();
  bool ok = spool_->wait_for_room([this] { return hurry_.load() || interrupt_count().load() > 0; });
  if (ok && logs_.target != nullptr) {
    logs_.target->line(
        fmt::format("spool has room again after {:.1f} s", static_cast<double>(mono_ns() - started) / 1e9));
  }
  return ok;
}

bool Target::open_split(Stream& stream, std::uint64_t ts) {
  OpenFile& f = stream.open;
  f.packets = 0;
  f.first_ts = f.last_ts = ts;
  const split::SplitTimes times = policy_.times(ts, ts);
  f.spool_seq = 0;
  f.remote_tmp.clear();
  if (spool_) {
    if (!wait_for_spool()) return false;
    auto seq = spool_->new_entry();
    if (!seq) {
      fail_target(seq.error().message());
      return false;
    }
    f.spool_seq = *seq;
  }
  if (plan_.stream_to != nullptr) f.remote_tmp = sink::temporary_name(namer_.path(times, stream.tag, 0));
  auto output = SplitOutput::open(plan_, local_names(times, stream.tag, f.spool_seq), f.remote_tmp);
  if (!output) {
    if (spool_) spool_->discard(f.spool_seq);
    fail_target(output.error().message());
    return false;
  }
  f.output = std::move(*output);
  capture::LinkFormat format = stream.format;
  // An encoded file's header cannot be patched at the end: de-encapsulated packets may be longer
  // than the input's snap length, so such files announce libpcap's maximum from the start.
  if (plan_.encoded() && pipeline_) format.snaplen = capture::kMaxSnaplen;
  f.writer.start(*f.output, format);
  f.header_snaplen = format.snaplen == 0 ? capture::kMaxSnaplen : format.snaplen;
  f.max_caplen = 0;
  f.file_bytes = split::kPcapFileHeader;
  f.opened_wall = wall_ns();
  if (logs_.target != nullptr) {
    sink::PendingFile* file = f.output->file();
    logs_.target->line(fmt::format("{} : New Split", file != nullptr ? file->path() : f.remote_tmp));
  }
  return true;
}

void Target::keep_failed_pipe_split(OpenFile& f, SplitOutput& out, const std::string& final_name) {
  pipe_failures_.fetch_add(1, std::memory_order_relaxed);
  count_lost_split(f.packets, DropReason::kPipeFailed);
  // Failed splits of an RCLONE target are kept beside its spool, outside the entry folders.
  std::string keep_as = spool_ ? spool_->dir() + "/" + sink::split_remote(final_name).second : final_name;
  auto kept = out.keep_raw(keep_as);
  if (spool_) spool_->discard(f.spool_seq);
  std::string where =
      kept ? "the raw split was kept as " + *kept : "the raw split could not be kept either: " + kept.error().message();
  say("error",
      fmt::format("{}; the split ({} packets) was not published; {}", out.pipe_error()->message(), f.packets, where));
}

void Target::close_split(Stream& stream, std::uint64_t closing_ts) {
  OpenFile& f = stream.open;
  if (!f.output) return;
  std::unique_ptr<SplitOutput> out = std::move(f.output);
  Result<void> w = f.writer.flush();
  if (w) w = out->finish();
  if (w && !plan_.encoded() && f.max_caplen > f.header_snaplen) w = raise_snaplen(*out->file(), f.max_caplen);
  if (!w) {
    std::string abandoned = out->abandon();
    if (spool_) spool_->discard(f.spool_seq);
    count_lost_split(f.packets);
    fail_target(w.error().message() + " (the incomplete split was kept as " + abandoned + ")");
    return;
  }
  const split::SplitTimes times = policy_.times(f.first_ts, f.last_ts);
  split::FinishedSplit fs;
  fs.bytes = f.file_bytes - split::kPcapFileHeader;
  fs.file_bytes = out->file_bytes();
  fs.packets = f.packets;
  fs.wall_ns = wall_ns() - f.opened_wall;
  fs.start_ts = times.start;
  fs.end_ts = times.end;
  fs.first_ts = f.first_ts;
  fs.last_ts = f.last_ts;
  fs.closing_ts = closing_ts;
  const std::string final_name = namer_.path(times, stream.tag, 0);
  if (out->pipe_error()) {
    keep_failed_pipe_split(f, *out, final_name);
    return;
  }
  sink::SpoolEntry entry;
  if (config_.mode == config::Mode::kRclone) {
    entry.seq = f.spool_seq;
    entry.suffix = config_.spec.suffix;
    entry.remote_base = final_name.substr(0, final_name.size() - entry.suffix.size());
    entry.split = fs;
  }
  if (plan_.stream_to != nullptr) {
    uploader_->enqueue(sink::StreamedSplit{out->take_stream(), f.remote_tmp, std::move(entry), {}});
    return;
  }
  out->discard_raw();
  std::optional<sink::PendingFile> file = out->take_file();
  const std::string tag = stream.tag;
  ClosingSplit closing{std::move(*file),
                       local_names(times, tag, f.spool_seq),
                       spool_ ? std::nullopt : config_.spec.owner,
                       fs.file_bytes,
                       nullptr,
                       nullptr};
  std::optional<Checkpoint> cp;
  if (checkpoint_) {
    cp.emplace();
    cp->target = config_.desc;
    cp->resume = resume_after(stream);
    cp->publishing = closing.file.path();
    cp->final_path = cp->publishing.substr(0, cp->publishing.size() - std::string(".pending").size());
  }
  if (spool_) {
    entry.split.path = closing.name(0);
    // Counted from now, so a fast reader cannot run ahead of the closer past the spool's limit.
    spool_->add_bytes(fs.file_bytes);
  }
  if (spool_ || cp) {
    const bool spooled = spool_ != nullptr;
    closing.prepare = [this, entry, cp, spooled]() mutable -> Result<void> {
      if (spooled) {
        if (auto r = spool_->write_record(entry); !r) return r;
      }
      if (cp) {
        cp->splits = ++checkpoint_splits_;
        if (auto r = checkpoint_->save(*cp); !r) return fail(r.error().context("checkpoint"));
      }
      return {};
    };
  }
  const std::uint64_t seq = f.spool_seq;
  closing.done = [this, fs, entry, seq](Result<std::string> final_path, sink::PendingFile& pending) mutable {
    if (!final_path && pending.published().empty()) {
      std::string kept = pending.abandon();
      if (spool_) spool_->discard(seq, fs.file_bytes);
      count_lost_split(fs.packets);
      record_failure(fmt::format("{}; the split ({} packets) was not published and was kept as {}",
                                 final_path.error().message(), fs.packets, kept));
      return;
    }
    if (!final_path) {
      // The file is complete under its final name; only the directory sync failed. It counts as
      // published, and the target stops because the disk is failing.
      record_failure(final_path.error().message());
      final_path = pending.published();
    }
    fs.path = *final_path;
    if (spool_) {
      entry.split.path = fs.path;
      uploader_->enqueue(std::move(entry));
      return;
    }
    published(fs, nullptr);
  };
  closer_.submit(std::move(closing));
}

void Target::on_uploaded(sink::SpoolEntry& entry, bool spooled) {
  uploads_.fetch_add(1, std::memory_order_relaxed);
  if (!spooled && checkpoint_) save_stream_checkpoint(entry.remote_base);
  split::FinishedSplit fs = entry.split;
  if (!spooled) fs.path.clear();
  if (spooled) {
    sink::SpoolEntry done = entry;
    published(fs, [this, done] { spool_->remove(done); });
  } else {
    published(fs, nullptr);
  }
}

void Target::published(const split::FinishedSplit& fs, std::function<void()> after) {
  published_.fetch_add(fs.packets, std::memory_order_relaxed);
  published_bytes_.fetch_add(fs.file_bytes, std::memory_order_relaxed);
  splits_.fetch_add(1, std::memory_order_relaxed);
  if (logs_.target != nullptr) {
    logs_.target->line(fmt::format(
        "{} : Finished : Split Bytes {} ({:.3f} GB) Split Pkts: {} WallTime: {} PCAPTime: {}", fs.final_name(),
        fs.bytes, static_cast<double>(fs.bytes) / 1e9, fs.packets, fs.wall_ns, fs.last_ts - fs.first_ts));
  }
  nlohmann::ordered_json event = {
      {"module", "pushcap"},        {"subsystem", "split"},    {"timestamp", wall_ns() / 1'000'000'000},
      {"Target", config_.desc},     {"Name", fs.final_name()}, {"Bytes", fs.bytes},
      {"FileBytes", fs.file_bytes}, {"Packets", fs.packets},   {"FirstTS", fs.first_ts},
      {"LastTS", fs.last_ts},       {"StartTS", fs.start_ts},  {"EndTS", fs.end_ts},
      {"ClosingTS", fs.closing_ts}, {"WallNS", fs.wall_ns},    {"PublishedNS", wall_ns()}};
  if (!fs.remote.empty()) event["Local"] = fs.path;
  std::string text = event.dump();
  if (logs_.target != nullptr) logs_.target->json(text);
  if (logs_.main != nullptr) logs_.main->json(text);

  hooks::ScriptJob job;
  if (!config_.script_close.empty())
    job.runs.push_back(hooks::close_script_run(config_.script_close, config_.desc, fs));
  if (!config_.post.empty() && !fs.path.empty())
    job.runs.push_back(hooks::post_script_run(config_.post, config_.desc, fs));
  if (job.runs.empty()) {
    if (after) after();
    return;
  }
  job.log = [this](const std::string& line) {
    if (logs_.target != nullptr) logs_.target->line(line);
  };
  const std::size_t runs = job.runs.size();
  job.done = [this, runs, after = std::move(after)](unsigned failures) {
    scripts_run_.fetch_add(runs, std::memory_order_relaxed);
    if (failures != 0) {
      script_failures_.fetch_add(failures, std::memory_order_relaxed);
      say("warning", fmt::format("{} script(s) failed (see its log); the push goes on", failures), false);
    }
    if (after) after();
  };
  scripts_.submit(std::move(job));
}

void Target::close_all(std::uint64_t closing_ts) {
  for (auto& s : streams_) close_split(s, closing_ts);
}

void Target::fail_target(const std::string& message) {
  if (!failed_) {
    failed_ = true;
    // Whatever is open now cannot be trusted to complete: keep it under a .failed name.
    for (auto& s : streams_) {
      if (s.open.output) {
        std::string kept = s.open.output->abandon();
        s.open.output.reset();
        if (spool_) spool_->discard(s.open.spool_seq);
        count_lost_split(s.open.packets);
        if (logs_.target != nullptr) logs_.target->line("incomplete split kept as " + kept);
      }
    }
  }
  record_failure(message);
}

void Target::count_lost_split(std::uint64_t packets, DropReason reason) {
  splits_failed_.fetch_add(1, std::memory_order_relaxed);
  dropped_[static_cast<std::size_t>(reason)].fetch_add(packets, std::memory_order_relaxed);
}

void Target::record_failure(const std::string& message) {
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = message;
  }
  closer_failed_.store(true, std::memory_order_release);
  say("error", message);
}

void Target::warn(const std::string& message) {
  say("warning", message);
}

void Target::say(const char* kind, const std::string& message, bool in_target_log) {
  std::string text = fmt::format("target '{}': {}: {}", config_.desc, kind, message);
  if (in_target_log && logs_.target != nullptr) logs_.target->line(text);
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
  s.progress_ts = progress_ts_.load(std::memory_order_relaxed);
  s.resume_skipped = resume_skipped_.load(std::memory_order_relaxed);
  s.decap_active = pipeline_.has_value() || has_frame_filter_;
  {
    std::lock_guard lock(decap_mutex_);
    s.decap = decap_published_;
  }
  for (std::size_t i = 0; i < s.dropped.size(); ++i) s.dropped[i] = dropped_[i].load(std::memory_order_relaxed);
  s.pipe_failures = pipe_failures_.load(std::memory_order_relaxed);
  s.script_failures = script_failures_.load(std::memory_order_relaxed);
  s.scripts = scripts_run_.load(std::memory_order_relaxed);
  s.rclone = config_.mode == config::Mode::kRclone;
  s.uploads = uploads_.load(std::memory_order_relaxed);
  s.upload_retries = upload_retries_.load(std::memory_order_relaxed);
  s.spool_waits = spool_waits_.load(std::memory_order_relaxed);
  if (spool_) s.spool_bytes = spool_->bytes();
  if (uploader_) {
    s.upload_pending = uploader_->pending();
    s.upload_error = uploader_->last_error();
  }
  std::lock_guard lock(failure_mutex_);
  s.failure = failure_;
  s.failed = !failure_.empty();
  return s;
}

}  // namespace pushcap::push
