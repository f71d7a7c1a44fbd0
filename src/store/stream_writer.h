#pragma once
// Writes one stream of a capture store: creates its directory (a new NAME_YYYYMMDD_HHMM), holds
// its lock, appends record chunks to fixed-size segments, and publishes the watermark.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/pcap_format.h"
#include "core/result.h"
#include "store/record_chunk.h"
#include "store/segment_index.h"
#include "store/segment_writer.h"
#include "store/stream_meta.h"
#include "store/watermark_file.h"

namespace pushcap::store {

/// What a new stream is.
struct StreamOptions {
  std::string store_dir;
  std::string capture;  ///< capture name (the stream is <capture>_YYYYMMDD_HHMM)
  std::vector<std::string> interfaces;
  std::uint32_t linktype = pcap::kLinktypeEthernet;
  std::uint32_t snaplen = 262144;
  std::string tstamp = "host";
  std::string filter;
  std::uint64_t segment_bytes = 256u << 20;  ///< a segment never grows past this
};

/// The writer of one stream. Single-threaded (the capture's writer thread).
class StreamWriter {
 public:
  /// Creates the stream directory, its lock, stream.json and the watermark file.
  static Result<std::unique_ptr<StreamWriter>> create(const StreamOptions& options, std::int64_t now_ns);

  /// Appends the chunk's records, starting a new segment whenever the next record would take
  /// the open one past the segment size.
  Result<void> write(const RecordChunk& chunk);
  /// Makes everything written durable, then publishes "every packet below `below` is stored"
  /// (never moving backwards) with the drop totals so far.
  Result<void> publish(std::uint64_t below, const Drops& totals, std::int64_t now_ns);
  /// Completes the open segment and publishes the final watermark; stream.json says "clean".
  Result<void> finish(const Drops& totals, std::int64_t now_ns);

  /// Called after each segment is complete.
  void on_segment(std::function<void(const SegmentIndex&)> f) { on_segment_ = std::move(f); }

  [[nodiscard]] const std::string& name() const { return meta_.name; }
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] const Watermark& last_published() const { return published_; }
  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] std::uint64_t late() const { return late_; }

 private:
  StreamWriter() = default;
  Result<void> append(const std::uint8_t* data, std::size_t len);
  Result<void> rotate();
  // Publishes the watermark with the stream's counters.
  Result<void> publish_state(std::uint64_t ts, std::uint64_t segment, std::uint64_t segment_bytes, bool ended,
                             std::int64_t now_ns);

  std::string dir_;
  StreamMeta meta_;
  Fd lock_;
  std::optional<WatermarkWriter> watermark_;
  std::optional<SegmentWriter> segment_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t segment_limit_ = 0;
  Drops totals_;         // as of the last publish
  Drops segment_start_;  // totals when the open segment was started
  Watermark published_;
  std::uint64_t packets_ = 0, bytes_ = 0, late_ = 0;
  bool dirty_ = false;  // bytes appended since the last sync
  std::function<void(const SegmentIndex&)> on_segment_;
};

}  // namespace pushcap::store
