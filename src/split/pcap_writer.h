#pragma once
// Writes classic pcap records to a byte sink (a file, an encoder, a pipe) with few, large writes: records whose input
// bytes already are an output record (classic little-endian pcap) are copied as contiguous runs,
// long runs straight from the batch, short ones through a staging buffer; other records get a
// header synthesized from their timestamp.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/batch.h"
#include "capture/link_format.h"
#include "core/byte_sink.h"
#include "core/pcap_format.h"
#include "core/result.h"

namespace pushcap::split {

/// Size of a classic pcap file header and record header.

/// Fills `out` (24 bytes) with a little-endian pcap file header for `format`.
void make_file_header(const capture::LinkFormat& format, std::uint8_t* out);

/// Streams one pcap file. Not thread-safe; one per open split file.
class PcapWriter {
 public:
  /// Runs at least this long are written straight from the batch instead of being copied.
  static constexpr std::size_t kDirectRun = 64 * 1024;
  static constexpr std::size_t kStaging = 1024 * 1024;

  PcapWriter() = default;
  /// Starts a file on `out` (not owned) with the header for `format`.
  void start(ByteSink& out, const capture::LinkFormat& format);
  /// Adds one record of `batch`. Its timestamp must fit in 32-bit seconds.
  Result<void> add(const capture::Batch& batch, const capture::Record& r) {
    if ((r.flags & capture::kHasPcapHeader) != 0) {
      const std::uint8_t* begin = batch.data.get() + r.offset - pcap::kRecordHeaderSize;
      std::size_t len = pcap::kRecordHeaderSize + r.caplen;
      if (run_ != nullptr && run_ + run_len_ == begin) {
        run_len_ += len;
        return {};
      }
      if (auto res = flush_run(); !res) return res;
      run_ = begin;
      run_len_ = len;
      return {};
    }
    return add_synthesized(batch, r);
  }
  /// Adds a packet whose bytes or time differ from its input record (de-encapsulated, trailer
  /// removed, hardware time): a header is synthesized and the bytes copied.
  Result<void> add_frame(std::uint64_t ts_ns, const std::uint8_t* data, std::uint32_t caplen, std::uint32_t wirelen);
  /// Must be called before the batch the pending run points into is released.
  Result<void> end_batch() { return flush_run(); }
  /// Writes everything buffered to the descriptor.
  Result<void> flush();

 private:
  Result<void> add_synthesized(const capture::Batch& batch, const capture::Record& r) {
    return add_frame(r.ts_ns, batch.packet(r), r.caplen, r.wirelen);
  }
  Result<void> flush_run();
  Result<void> stage(const std::uint8_t* data, std::size_t len);

  ByteSink* out_ = nullptr;
  capture::TsResolution resolution_ = capture::TsResolution::kMicro;
  std::unique_ptr<std::uint8_t[]> staging_;
  std::size_t staged_ = 0;
  const std::uint8_t* run_ = nullptr;
  std::size_t run_len_ = 0;
};

}  // namespace pushcap::split
