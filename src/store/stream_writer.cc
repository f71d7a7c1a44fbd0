#include "store/stream_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include <fmt/format.h>

#include "core/endian.h"
#include "store/store_layout.h"
#include "store/stream_lock.h"

namespace pushcap::store {
namespace {

Drops minus(const Drops& a, const Drops& b) {
  return Drops{a.kernel - b.kernel, a.iface - b.iface, a.overflow - b.overflow};
}

}  // namespace

Result<std::unique_ptr<StreamWriter>> StreamWriter::create(const StreamOptions& o, std::int64_t now_ns) {
  if (!valid_capture_name(o.capture)) {
    return fail(Errc::kInvalidArgument,
                fmt::format("'{}' cannot name a capture: use letters, digits, '-', '.' and '_' (at most 64, not only "
                            "digits, not starting with '.')",
                            o.capture));
  }
  if (o.segment_bytes < (1u << 20)) {
    return fail(Errc::kInvalidArgument, fmt::format("segment size {} is below the 1 MiB minimum", o.segment_bytes));
  }
  if (auto r = make_dirs(o.store_dir); !r) return fail(r.error().context("store"));
  std::unique_ptr<StreamWriter> w(new StreamWriter());
  // A new directory: NAME_YYYYMMDD_HHMM, or _2, _3 ... when a capture of that name already
  // started in this minute (a restart).
  for (unsigned serial = 0;; ++serial) {
    if (serial > 10000) return fail(Errc::kExists, "no free stream name in " + o.store_dir);
    StreamName n = make_stream_name(o.capture, now_ns, serial == 0 ? 0 : serial + 1);
    std::string dir = o.store_dir + "/" + n.text();
    if (::mkdir(dir.c_str(), 0755) == 0) {
      w->dir_ = dir;
      w->meta_.name = n.text();
      break;
    }
    if (errno != EEXIST) return fail(Errc::kIo, fmt::format("cannot create {}: {}", dir, errno_text(errno)));
  }
  if (auto r = fsync_dir(o.store_dir); !r) return fail(r.error());
  auto lock = lock_stream(w->dir_);
  if (!lock) return fail(lock.error());
  w->lock_ = std::move(*lock);
  w->meta_.capture = o.capture;
  w->meta_.interfaces = o.interfaces;
  w->meta_.linktype = o.linktype;
  w->meta_.snaplen = o.snaplen;
  w->meta_.tstamp = o.tstamp;
  w->meta_.segment_bytes = o.segment_bytes;
  w->meta_.started_ns = now_ns;
  w->meta_.filter = o.filter;
  w->segment_limit_ = o.segment_bytes;
  if (auto r = write_stream_meta(w->dir_, w->meta_); !r) return fail(r.error());
  auto wm = WatermarkWriter::create(w->dir_ + "/" + kWatermarkFile);
  if (!wm) return fail(wm.error());
  w->watermark_ = std::move(*wm);
  auto seg = SegmentWriter::create(w->dir_, w->next_seq_++, o.linktype, o.snaplen);
  if (!seg) return fail(seg.error());
  w->segment_ = std::move(*seg);
  // Nothing is stored yet: the first watermark says so, and names the first segment.
  w->published_.segment = w->segment_->seq();
  w->published_.segment_bytes = w->segment_->size();
  w->published_.wall_ns = static_cast<std::uint64_t>(now_ns);
  if (auto r = w->segment_->sync(); !r) return fail(r.error());
  if (auto r = w->watermark_->publish(w->published_); !r) return fail(r.error());
  return w;
}

Result<void> StreamWriter::rotate() {
  auto index = segment_->finish(minus(totals_, segment_start_));
  if (!index) return fail(index.error());
  segment_.reset();
  segment_start_ = totals_;
  if (on_segment_) on_segment_(*index);
  auto seg = SegmentWriter::create(dir_, next_seq_++, meta_.linktype, meta_.snaplen);
  if (!seg) return fail(seg.error());
  segment_ = std::move(*seg);
  return {};
}

Result<void> StreamWriter::append(const std::uint8_t* data, std::size_t len) {
  if (len == 0) return {};
  dirty_ = true;
  return segment_->append(data, len);
}

Result<void> StreamWriter::write(const RecordChunk& chunk) {
  const std::uint8_t* p = chunk.data.get();
  std::size_t at = 0, run = 0;  // run: start of the records not yet appended
  while (at + 16 <= chunk.size) {
    const std::uint32_t caplen = load_le<std::uint32_t>(p + at + 8);
    const std::size_t rec = 16 + std::size_t{caplen};
    const std::uint64_t ts =
        std::uint64_t{load_le<std::uint32_t>(p + at)} * 1'000'000'000u + load_le<std::uint32_t>(p + at + 4);
    if (ts < published_.ts_ns) ++late_;
    const std::uint64_t pending = at - run;
    if (segment_->size() + pending + rec > segment_limit_ && segment_->size() + pending > kSegmentHeader) {
      if (auto r = append(p + run, pending); !r) return r;
      run = at;
      if (auto r = rotate(); !r) return r;
    }
    ++packets_;
    bytes_ += rec;
    at += rec;
  }
  return append(p + run, at - run);
}

Result<void> StreamWriter::publish(std::uint64_t below, const Drops& totals, std::int64_t now_ns) {
  totals_ = totals;
  if (dirty_) {
    if (auto r = segment_->sync(); !r) return r;
    dirty_ = false;
  }
  return publish_state(std::max(published_.ts_ns, below), segment_->seq(), segment_->size(), false, now_ns);
}

Result<void> StreamWriter::publish_state(std::uint64_t ts, std::uint64_t segment, std::uint64_t segment_bytes,
                                         bool ended, std::int64_t now_ns) {
  Watermark w = published_;
  w.ts_ns = ts;
  w.segment = segment;
  w.segment_bytes = segment_bytes;
  w.packets = packets_;
  w.bytes = bytes_;
  w.kernel_drops = totals_.kernel;
  w.if_drops = totals_.iface;
  w.overflow_drops = totals_.overflow;
  w.late = late_;
  w.wall_ns = static_cast<std::uint64_t>(now_ns);
  w.ended = ended;
  if (auto r = watermark_->publish(w); !r) return r;
  published_ = w;
  return {};
}

Result<void> StreamWriter::finish(const Drops& totals, std::int64_t now_ns) {
  totals_ = totals;
  std::uint64_t last_seq = segment_->seq();
  if (segment_->packets() == 0) {
    // An empty last segment is not kept: the stream ends with the one before it.
    const std::string part = segment_->path();
    segment_.reset();
    ::unlink(part.c_str());
    if (auto r = fsync_dir(dir_); !r) return r;
    last_seq = last_seq > 1 ? last_seq - 1 : 0;
  } else {
    auto index = segment_->finish(minus(totals_, segment_start_));
    if (!index) return fail(index.error());
    segment_.reset();
    if (on_segment_) on_segment_(*index);
  }
  if (auto r = publish_state(std::numeric_limits<std::uint64_t>::max(), last_seq, 0, true, now_ns); !r) return r;
  meta_.end = "clean";
  meta_.ended_ns = now_ns;
  return write_stream_meta(dir_, meta_);
}

}  // namespace pushcap::store
