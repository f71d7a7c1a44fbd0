#include "split/pcap_writer.h"

#include <cstring>

#include "core/endian.h"
#include "core/pcap_format.h"

namespace pushcap::split {

void make_file_header(const capture::LinkFormat& format, std::uint8_t* out) {
  // pcapng's "no limit" (0) becomes libpcap's maximum so readers do not cut records short.
  pcap::write_file_header({format.linktype, format.snaplen, format.resolution == capture::TsResolution::kNano, false},
                          out);
}

void PcapWriter::start(ByteSink& out, const capture::LinkFormat& format) {
  out_ = &out;
  resolution_ = format.resolution;
  if (!staging_) staging_.reset(new std::uint8_t[kStaging]);
  run_ = nullptr;
  run_len_ = 0;
  make_file_header(format, staging_.get());
  staged_ = pcap::kFileHeaderSize;
}

Result<void> PcapWriter::flush() {
  if (auto r = flush_run(); !r) return r;
  if (staged_ == 0) return {};
  auto r = out_->write(staging_.get(), staged_);
  staged_ = 0;
  return r;
}

Result<void> PcapWriter::stage(const std::uint8_t* data, std::size_t len) {
  if (staged_ + len > kStaging) {
    if (auto r = out_->write(staging_.get(), staged_); !r) return r;
    staged_ = 0;
  }
  if (len >= kStaging) return out_->write(data, len);
  std::memcpy(staging_.get() + staged_, data, len);
  staged_ += len;
  return {};
}

Result<void> PcapWriter::flush_run() {
  if (run_ == nullptr) return {};
  const std::uint8_t* data = run_;
  std::size_t len = run_len_;
  run_ = nullptr;
  run_len_ = 0;
  if (len >= kDirectRun) {
    if (staged_ > 0) {
      if (auto r = out_->write(staging_.get(), staged_); !r) return r;
      staged_ = 0;
    }
    return out_->write(data, len);
  }
  return stage(data, len);
}

Result<void> PcapWriter::add_frame(std::uint64_t ts_ns, const std::uint8_t* data, std::uint32_t caplen,
                                   std::uint32_t wirelen) {
  if (auto res = flush_run(); !res) return res;
  std::uint8_t hdr[pcap::kRecordHeaderSize];
  std::uint64_t sec = ts_ns / 1'000'000'000u;
  std::uint64_t sub = ts_ns % 1'000'000'000u;
  if (resolution_ == capture::TsResolution::kMicro) sub /= 1000;
  store_le(hdr, static_cast<std::uint32_t>(sec));
  store_le(hdr + 4, static_cast<std::uint32_t>(sub));
  store_le(hdr + 8, caplen);
  store_le(hdr + 12, wirelen);
  if (auto res = stage(hdr, sizeof hdr); !res) return res;
  return stage(data, caplen);
}

}  // namespace pushcap::split
