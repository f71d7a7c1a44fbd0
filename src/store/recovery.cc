#include "store/recovery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/endian.h"
#include "core/fd.h"
#include "store/segment_index.h"
#include "store/segment_writer.h"
#include "store/store_layout.h"
#include "store/stream_lock.h"
#include "store/stream_meta.h"
#include "store/watermark_file.h"

namespace pushcap::store {
namespace {

constexpr std::size_t kReadBytes = 4u << 20;

// A record header that a torn or zero-filled tail would not produce.
bool plausible(const std::uint8_t* h, std::uint32_t snaplen) {
  const std::uint32_t nsec = load_le<std::uint32_t>(h + 4);
  const std::uint32_t caplen = load_le<std::uint32_t>(h + 8);
  const std::uint32_t len = load_le<std::uint32_t>(h + 12);
  return nsec < 1'000'000'000u && len != 0 && caplen <= len && caplen <= snaplen && load_le<std::uint32_t>(h) != 0;
}

}  // namespace

Result<CutResult> cut_torn_tail(const std::string& path, std::uint32_t snaplen) {
  auto fd = open_file(path, O_RDWR);
  if (!fd) return fail(fd.error());
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fail(Errc::kIo, fmt::format("cannot stat {}: {}", path, errno_text(errno)));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  CutResult out;
  if (size < kSegmentHeader) {
    out.cut_bytes = size;
  } else {
    std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[kReadBytes]);
    std::uint64_t at = kSegmentHeader;  // start of the next record
    for (;;) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kReadBytes, size - at));
      if (want < 16) break;
      const ssize_t got = ::pread(fd->get(), buf.get(), want, static_cast<off_t>(at));
      if (got < 0) return fail(Errc::kIo, fmt::format("cannot read {}: {}", path, errno_text(errno)));
      std::size_t pos = 0;
      bool bad = false;
      while (pos + 16 <= static_cast<std::size_t>(got)) {
        if (!plausible(buf.get() + pos, snaplen)) {
          bad = true;
          break;
        }
        const std::size_t rec = 16 + load_le<std::uint32_t>(buf.get() + pos + 8);
        if (pos + rec > static_cast<std::size_t>(got)) break;
        pos += rec;
      }
      index_records(buf.get(), pos, at, out.index);  // the plausible, whole records just read
      at += pos;
      if (bad || pos == 0 || static_cast<std::size_t>(got) < want) break;
      if (at >= size) break;
    }
    out.kept_bytes = at;
    out.cut_bytes = size - at;
  }
  out.packets = out.index.packets;
  out.index.file_bytes = out.kept_bytes;
  if (out.cut_bytes != 0 && ::ftruncate(fd->get(), static_cast<off_t>(out.kept_bytes)) != 0) {
    return fail(Errc::kIo, fmt::format("cannot cut the torn end of {}: {}", path, errno_text(errno)));
  }
  if (auto r = fsync_fd(fd->get(), path); !r) return fail(r.error());
  return out;
}

Result<std::vector<RecoveredStream>> recover_streams(const std::string& store_dir) {
  std::vector<RecoveredStream> out;
  auto streams = list_streams(store_dir);
  if (!streams) return fail(streams.error());
  for (const auto& s : *streams) {
    const std::string dir = store_dir + "/" + s.text();
    auto meta = read_stream_meta(dir);
    if (!meta || !meta->end.empty()) continue;  // not ours to judge, or ended
    auto lock = lock_stream(dir);
    if (!lock) continue;  // its writer is alive
    RecoveredStream rs;
    rs.name = s.text();
    auto last = read_watermark(dir + "/" + kWatermarkFile);
    if (last && *last) rs.last_watermark_ts = (*last)->ts_ns;
    auto segments = list_segments(dir);
    if (!segments) return fail(segments.error());
    std::uint64_t last_seq = 0;
    for (const auto& seg : *segments) {
      if (seg.complete) {
        last_seq = seg.seq;
        continue;
      }
      auto cut = cut_torn_tail(seg.path, meta->snaplen);
      if (!cut) return fail(cut.error().context("recovering stream " + s.text()));
      rs.segment = seg.seq;
      rs.packets_kept += cut->packets;
      rs.cut_bytes += cut->cut_bytes;
      if (cut->packets == 0) {
        ::unlink(seg.path.c_str());
        continue;
      }
      SegmentIndex& idx = cut->index;
      idx.segment = seg.seq;
      idx.linktype = meta->linktype;
      idx.snaplen = meta->snaplen;
      idx.recovered = true;
      rs.last_ts = idx.last_ts;
      if (auto r = write_index(dir, idx); !r) return fail(r.error());
      if (auto r = rename_no_replace(seg.path, dir + "/" + segment_file(seg.seq)); !r) return fail(r.error());
      last_seq = seg.seq;
    }
    if (auto r = fsync_dir(dir); !r) return fail(r.error());
    // Close the watermark: followers read to the end and move on.
    auto wm = WatermarkWriter::open_existing(dir + "/" + kWatermarkFile);
    if (wm) {
      Watermark w = last && *last ? **last : Watermark{};
      w.ts_ns = std::numeric_limits<std::uint64_t>::max();
      w.segment = last_seq;
      w.segment_bytes = 0;
      w.ended = true;
      w.wall_ns = static_cast<std::uint64_t>(wall_ns());
      if (auto r = wm->publish(w); !r) return fail(r.error());
    }
    meta->end = "recovered";
    meta->ended_ns = wall_ns();
    meta->last_watermark_ts = rs.last_watermark_ts;
    meta->recovered_packets = rs.packets_kept;
    meta->recovered_cut_bytes = rs.cut_bytes;
    if (auto r = write_stream_meta(dir, *meta); !r) return fail(r.error());
    out.push_back(rs);
  }
  return out;
}

}  // namespace pushcap::store
