#include "push/open_split.h"

#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/endian.h"
#include "core/fd.h"
#include "core/pcap_format.h"

namespace pushcap::push {
namespace {

// A file's records must fit its header's snap length, or readers cut them short: a packet decap
// changed (a synthesized Ethernet header on raw IP) may be longer than the input's snap length.
Result<void> raise_snaplen(sink::PendingFile& file, std::uint32_t snaplen) {
  std::uint8_t field[4];
  store_le<std::uint32_t>(field, snaplen);
  if (::pwrite(file.fd(), field, sizeof field, pcap::kSnaplenOffset) != static_cast<ssize_t>(sizeof field)) {
    return fail(Errc::kIo,
                fmt::format("cannot update the snap length in the header of {}: {}", file.path(), errno_text(errno)));
  }
  return {};
}

}  // namespace

void OpenSplit::start(std::unique_ptr<SplitOutput> output, capture::LinkFormat format, bool encoded,
                      bool changes_packets) {
  output_ = std::move(output);
  encoded_ = encoded;
  // An encoded file's header cannot be patched at the end: de-encapsulated packets may be longer
  // than the input's snap length, so such files announce libpcap's maximum from the start.
  if (encoded && changes_packets) format.snaplen = pcap::kMaxSnaplen;
  writer_.start(*output_, format);
  header_snaplen_ = format.snaplen == 0 ? pcap::kMaxSnaplen : format.snaplen;
  max_caplen_ = 0;
  file_bytes_ = pcap::kFileHeaderSize;
  packets_ = 0;
  first_ts_ = last_ts_ = 0;
  opened_wall_ = wall_ns();
}

Result<void> OpenSplit::add(const capture::Batch& batch, const capture::Record& r, const PathFrame& frame) {
  auto w = frame.changed ? writer_.add_frame(frame.ts, frame.data, frame.caplen, frame.wirelen) : writer_.add(batch, r);
  if (!w) return w;
  file_bytes_ += pcap::kRecordHeaderSize + frame.caplen;
  // Only packets decap made may outgrow the header; a record longer than its own input's snap
  // length is copied as it came (readers cut it as they cut the input).
  if (frame.changed && frame.caplen > max_caplen_) max_caplen_ = frame.caplen;
  last_ = SourcePos::of(batch, r);
  if (packets_ == 0) {
    first_ts_ = frame.ts;
    first_ = last_;
  }
  ++packets_;
  last_ts_ = frame.ts;
  return {};
}

Result<void> OpenSplit::finish() {
  Result<void> w = writer_.flush();
  if (w) w = output_->finish();
  if (w && !encoded_ && max_caplen_ > header_snaplen_) w = raise_snaplen(*output_->file(), max_caplen_);
  return w;
}

split::FinishedSplit OpenSplit::facts(const split::SplitTimes& times, std::uint64_t closing_ts) const {
  split::FinishedSplit fs;
  fs.bytes = file_bytes_ - pcap::kFileHeaderSize;
  fs.file_bytes = output_ ? output_->file_bytes() : 0;
  fs.packets = packets_;
  fs.wall_ns = wall_ns() - opened_wall_;
  fs.start_ts = times.start;
  fs.end_ts = times.end;
  fs.first_ts = first_ts_;
  fs.last_ts = last_ts_;
  fs.closing_ts = closing_ts;
  return fs;
}

}  // namespace pushcap::push
