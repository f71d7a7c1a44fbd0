#include "store/segment_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/endian.h"
#include "store/store_layout.h"

namespace pushcap::store {

std::size_t index_records(const std::uint8_t* data, std::size_t len, std::uint64_t offset, SegmentIndex& index) {
  std::size_t at = 0;
  while (at + 16 <= len) {
    const std::uint32_t caplen = load_le<std::uint32_t>(data + at + 8);
    if (at + 16 + caplen > len) break;
    const std::uint64_t ts =
        std::uint64_t{load_le<std::uint32_t>(data + at)} * 1'000'000'000u + load_le<std::uint32_t>(data + at + 4);
    if (index.packets % SegmentIndex::kEvery == 0) index.points.emplace_back(ts, offset + at);
    if (index.packets == 0) {
      index.first_ts = index.min_ts = index.max_ts = ts;
    } else {
      index.min_ts = std::min(index.min_ts, ts);
      index.max_ts = std::max(index.max_ts, ts);
    }
    index.last_ts = ts;
    ++index.packets;
    at += 16 + caplen;
  }
  return at;
}

Result<SegmentWriter> SegmentWriter::create(const std::string& stream_dir, std::uint64_t seq, std::uint32_t linktype,
                                            std::uint32_t snaplen) {
  SegmentWriter w;
  w.dir_ = stream_dir;
  w.part_ = stream_dir + "/" + segment_part_file(seq);
  auto fd = open_file(w.part_, O_WRONLY | O_CREAT | O_EXCL);
  if (!fd) return fail(fd.error());
  w.fd_ = std::move(*fd);
  std::uint8_t header[kSegmentHeader];
  pcap::write_file_header({linktype, snaplen, true, false}, header);  // segments are nanosecond pcap
  if (auto r = write_all(w.fd_.get(), header, sizeof header, w.part_); !r) return fail(r.error());
  w.size_ = kSegmentHeader;
  w.index_.segment = seq;
  w.index_.linktype = linktype;
  w.index_.snaplen = snaplen;
  return w;
}

Result<void> SegmentWriter::append(const std::uint8_t* records, std::size_t len) {
  if (auto r = write_all(fd_.get(), records, len, part_); !r) return r;
  index_records(records, len, size_, index_);
  size_ += len;
  return {};
}

Result<void> SegmentWriter::sync() {
  if (::fdatasync(fd_.get()) != 0) {
    return fail(Errc::kIo, fmt::format("cannot sync the segment {}: {}", part_, errno_text(errno)));
  }
  return {};
}

Result<SegmentIndex> SegmentWriter::finish(const Drops& drops) {
  if (auto r = fsync_fd(fd_.get(), part_); !r) return fail(r.error());
  if (auto r = fd_.close(part_); !r) return fail(r.error());
  index_.file_bytes = size_;
  index_.drops = drops;
  // The index first: a complete name always has its index.
  if (auto r = write_index(dir_, index_); !r) return fail(r.error());
  const std::string final_path = dir_ + "/" + segment_file(index_.segment);
  if (auto r = rename_no_replace(part_, final_path); !r) return fail(r.error());
  if (auto r = fsync_dir(dir_); !r) return fail(r.error());
  return index_;
}

}  // namespace pushcap::store
