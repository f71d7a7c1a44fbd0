// StoreSource::run: the walk through a store, segment after segment and stream after stream.
//
//   run ── open_segment ──┬── read_segment: as far as the watermark says the segment is whole,
//                         │   delivering batches and the watermark, until it is complete
//                         └── (missing) on_missing_segment: deleted by retention (skip_deleted,
//                             said), past the stream's end (to_next_stream), or not written yet
//                             (wait)

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "capture/incremental_reader.h"
#include "core/clock.h"
#include "core/fd.h"
#include "core/interrupt.h"
#include "store/segment_index.h"
#include "store/segment_writer.h"
#include "store/store_layout.h"
#include "store/store_source.h"
#include "store/stream_meta.h"

namespace pushcap::store {

/// The state of one run().
struct StoreSource::Walk {
  explicit Walk(const capture::SourceEvents& events) : ev(events) {}
  const capture::SourceEvents& ev;
  capture::SourceOutcome outcome;
  bool realtime = false;  ///< follows the capture (no end)
  bool range = false;     ///< --from/--to
  std::string stream;
  std::uint64_t seq = 0;
  std::uint64_t offset = 0;
  std::uint64_t posted = 0;   ///< watermark delivered
  std::uint64_t last_ts = 0;  ///< newest packet delivered
  WatermarkReader watermark;
  bool finished = false;

  [[nodiscard]] std::string dir(const std::string& store) const { return store + "/" + stream; }
};

capture::SourceOutcome StoreSource::run(const capture::SourceEvents& ev) {
  using Start = StoreSourceOptions::Start;
  Walk walk(ev);
  StorePosition at;
  if (!choose_start(ev, walk.outcome, at)) return walk.outcome;
  walk.realtime =
      options_.start == Start::kNow || options_.start == Start::kStreamStart || options_.start == Start::kPosition;
  walk.range = options_.start == Start::kRange;
  walk.stream = at.stream;
  walk.seq = at.segment;
  walk.offset = at.offset;
  walk.watermark.open(walk.dir(options_.store_dir));
  while (!walk.finished) {
    if (interrupt_count().load() > 0) {
      walk.outcome.interrupted = true;
      break;
    }
    std::string path;
    auto fd = open_segment(walk, path);
    if (!fd) {
      if (!on_missing_segment(walk)) break;
      continue;
    }
    read_segment(walk, std::move(*fd), path);
    if (walk.finished) break;
    ++walk.seq;
    walk.offset = kSegmentHeader;
    // A range is done at a complete segment that starts at or after its end.
    if (walk.range) {
      if (auto idx = read_index(walk.dir(options_.store_dir), walk.seq); idx && idx->min_ts >= options_.to_ns) break;
    }
  }
  return walk.outcome;
}

std::optional<Fd> StoreSource::open_segment(const Walk& walk, std::string& path) {
  const std::string dir = walk.dir(options_.store_dir);
  const std::string final_path = dir + "/" + segment_file(walk.seq);
  const std::string part_path = dir + "/" + segment_part_file(walk.seq);
  // The open segment is a .part until the capture renames it: try the final name, the part, and
  // the final name again (renamed between the two opens).
  for (const std::string* p : {&final_path, &part_path, &final_path}) {
    if (auto fd = open_file(*p, O_RDONLY)) {
      path = *p;
      return std::move(*fd);
    }
  }
  return std::nullopt;
}

bool StoreSource::on_missing_segment(Walk& walk) {
  using Start = StoreSourceOptions::Start;
  const std::string dir = walk.dir(options_.store_dir);
  std::optional<Watermark> w = walk.watermark.read();
  std::optional<SegmentEntry> later;
  if (auto segs = list_segments(dir)) {
    auto it = std::find_if(segs->begin(), segs->end(), [&](const SegmentEntry& e) { return e.seq > walk.seq; });
    if (it != segs->end()) later = *it;
  }
  const bool stream_gone = !path_exists(dir);
  if (later || (stream_gone && next_stream(options_.store_dir, options_.capture, walk.stream))) {
    // Segments before `later` (or the whole stream) were deleted before they were read.
    if (!later || !w || w->segment >= walk.seq || walk.seq < later->seq) return skip_deleted(walk, later);
  }
  auto meta = read_stream_meta(dir);
  const bool ended = (w && w->ended) || (meta && !meta->end.empty()) || stream_gone;
  if (ended) {
    if (options_.start == Start::kOffline) return false;  // one stream only
    if (to_next_stream(walk)) return true;
    if (!walk.realtime) return false;
    // Nothing is being captured: time moves on without packets.
    post(walk, static_cast<std::uint64_t>(wall_ns()) - 1'000'000'000u);
  }
  if (!sleep_poll()) {
    walk.outcome.interrupted = true;
    return false;
  }
  return true;
}

bool StoreSource::skip_deleted(Walk& walk, const std::optional<SegmentEntry>& later) {
  std::uint64_t next_first = 0;
  if (later && later->complete) {
    if (auto idx = read_index(walk.dir(options_.store_dir), later->seq)) next_first = idx->first_ts;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.skipped_segments;
    if (next_first > walk.last_ts && walk.last_ts != 0) stats_.skipped_ns += next_first - walk.last_ts;
  }
  const std::string gap =
      fmt::format("retention deleted {} of stream {} before this push read it: packets from {} to {} were not pushed",
                  later ? fmt::format("segments {} to {}", walk.seq, later->seq - 1) : std::string("the rest"),
                  walk.stream, walk.last_ts != 0 ? ns_text(walk.last_ts) : std::string("its start"),
                  next_first != 0 ? ns_text(next_first) : std::string("the next stream"));
  walk.outcome.gaps.push_back(gap);
  if (walk.ev.notice) walk.ev.notice("warning: " + gap);
  if (later) {
    walk.seq = later->seq;
    walk.offset = kSegmentHeader;
    return true;
  }
  return to_next_stream(walk);
}

bool StoreSource::to_next_stream(Walk& walk) {
  auto next = next_stream(options_.store_dir, options_.capture, walk.stream);
  if (!next) return false;
  walk.stream = *next;
  walk.seq = first_segment(walk.dir(options_.store_dir));
  walk.offset = kSegmentHeader;
  walk.watermark.open(walk.dir(options_.store_dir));
  if (walk.ev.notice) walk.ev.notice("following the next stream of the capture: " + walk.stream);
  return true;
}

void StoreSource::read_segment(Walk& walk, Fd fd, const std::string& path) {
  using Start = StoreSourceOptions::Start;
  const std::string final_path = walk.dir(options_.store_dir) + "/" + segment_file(walk.seq);
  const std::uint32_t input = add_input(walk.stream, walk.seq);
  capture::IncrementalReader reader(fd.get(), path, input, registry_);
  if (walk.offset > kSegmentHeader) {
    auto sought = reader.seek(walk.offset);
    if (!sought || !*sought) walk.offset = 0;  // read from the start; nothing is delivered twice in a fresh run
  }
  auto emit = [&](std::shared_ptr<capture::Batch> batch) { deliver(walk, std::move(batch)); };
  for (;;) {
    if (interrupt_count().load() > 0) {
      walk.outcome.interrupted = true;
      walk.finished = true;
      return;
    }
    std::optional<Watermark> w = walk.watermark.read();
    {
      std::lock_guard lock(mutex_);
      if (w) stats_.store_ts = w->ended ? stats_.store_ts : w->ts_ns;
    }
    // How far the segment is whole: all of it once complete, else as far as the watermark says.
    const bool complete = path == final_path || path_exists(final_path) || (w && (w->ended || w->segment > walk.seq));
    std::uint64_t limit = 0;
    if (complete) {
      struct stat st {};
      if (::fstat(fd.get(), &st) == 0) limit = static_cast<std::uint64_t>(st.st_size);
    } else if (w && w->segment == walk.seq) {
      limit = w->segment_bytes;
    }
    if (!reader.read_to(limit, pool_, emit)) {
      const Error e = reader.error() ? *reader.error() : Error(Errc::kIo, path + ": unreadable");
      walk.outcome.errors.push_back(e);
      if (walk.ev.error) walk.ev.error(e);
      return;  // the next segment follows
    }
    if (complete && reader.read_position() >= limit) {
      if (reader.leftover() != 0 && walk.ev.notice) {
        walk.ev.notice(fmt::format("warning: {} ends with {} bytes of an incomplete record (not pushed)", path,
                                   reader.leftover()));
      }
      return;
    }
    // Caught up with the writer in this segment.
    if (w && w->segment == walk.seq && reader.read_position() >= w->segment_bytes) {
      post(walk, w->ts_ns);
      // A range ends at its end; --offline of a stream being captured reads what is stored now.
      if ((walk.range && walk.posted >= options_.to_ns) || options_.start == Start::kOffline) {
        walk.finished = true;
        return;
      }
    }
    if (!sleep_poll()) {
      walk.outcome.interrupted = true;
      walk.finished = true;
      return;
    }
  }
}

void StoreSource::deliver(Walk& walk, std::shared_ptr<capture::Batch> batch) {
  bytes_read_.fetch_add(batch->size, std::memory_order_relaxed);
  if (walk.range) {
    auto& recs = batch->records;
    std::erase_if(recs,
                  [&](const capture::Record& r) { return r.ts_ns < options_.from_ns || r.ts_ns >= options_.to_ns; });
    if (recs.empty()) return;
  }
  walk.outcome.packets += batch->records.size();
  walk.last_ts = std::max(walk.last_ts, batch->records.back().ts_ns);
  walk.ev.batch(std::move(batch));
  // Checked between batches: a push slowed by a target reads here, not where it waits for data.
  if (walk.realtime) warn_retention(walk.ev, walk.stream, walk.seq, walk.last_ts);
}

void StoreSource::post(Walk& walk, std::uint64_t ts) {
  if (ts <= walk.posted || ts == 0) return;
  walk.posted = ts;
  if (walk.ev.watermark) walk.ev.watermark(ts);
  std::lock_guard lock(mutex_);
  stats_.delivered_ts = ts;
}

}  // namespace pushcap::store
