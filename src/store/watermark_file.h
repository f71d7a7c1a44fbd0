#pragma once
// A stream's watermark: what the capture has durably stored, published at least every 100 ms.
// "Every packet with a timestamp below ts_ns is in the store, in segments up to `segment`, whose
// first `segment_bytes` bytes are whole records" (DESIGN.md, watermark). Followers read up to
// there and close time splits from ts_ns.
//
// The file holds two fixed 128-byte slots written in turn, each with a CRC: a torn write of one
// slot leaves the other, so a reader always finds the newest complete record.

#include <cstdint>
#include <optional>
#include <string>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap::store {

/// One published state of a stream.
struct Watermark {
  std::uint64_t seq = 0;             ///< publication counter
  std::uint64_t ts_ns = 0;           ///< every packet below this time is stored
  std::uint64_t segment = 0;         ///< the segment being written (or the last one, once ended)
  std::uint64_t segment_bytes = 0;   ///< bytes of that segment that are whole, durable records
  std::uint64_t packets = 0;         ///< packets stored in the stream
  std::uint64_t bytes = 0;           ///< record bytes stored in the stream (headers included)
  std::uint64_t kernel_drops = 0;    ///< dropped by the kernel (ring full), all interfaces
  std::uint64_t if_drops = 0;        ///< dropped by the interfaces (NIC), as the kernel reports them
  std::uint64_t overflow_drops = 0;  ///< dropped by pushcap: the store writer was behind
  std::uint64_t late = 0;            ///< packets that arrived with a time below a published watermark
  std::uint64_t wall_ns = 0;         ///< when it was published
  bool ended = false;                ///< the capture stopped cleanly: nothing follows
};

/// Writes a stream's watermark file (the capture process).
class WatermarkWriter {
 public:
  /// Creates the file (it must not exist).
  static Result<WatermarkWriter> create(const std::string& path);
  /// Opens an existing file to publish into (recovery of a crashed stream).
  static Result<WatermarkWriter> open_existing(const std::string& path);
  /// Writes `w` (its seq is set here) and fdatasyncs it.
  Result<void> publish(Watermark w);

 private:
  Fd fd_;
  std::string path_;
  std::uint64_t seq_ = 0;
};

/// Reads the newest complete record; nullopt when none is (a file created but never published).
Result<std::optional<Watermark>> read_watermark(const std::string& path);
/// The same from an open descriptor (followers keep it open).
Result<std::optional<Watermark>> read_watermark(int fd, const std::string& path);

/// The watermark of a stream, read through a descriptor kept open (opened again while the file
/// is missing).
class WatermarkReader {
 public:
  void open(const std::string& stream_dir);
  /// The newest valid slot; nullopt while the file is missing or has none.
  std::optional<Watermark> read();

 private:
  std::string dir_;
  Fd fd_;
};

}  // namespace pushcap::store
