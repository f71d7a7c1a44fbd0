#include "live/capture_runner.h"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <limits>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/interrupt.h"
#include "live/live_interface.h"
#include "live/retention_thread.h"
#include "store/record_chunk.h"
#include "store/recovery.h"
#include "store/stream_writer.h"

namespace pushcap::live {
namespace {

constexpr std::size_t kChunkBytes = 1u << 20;

using Interfaces = std::vector<std::unique_ptr<LiveInterface>>;
using Log = std::function<void(const std::string&)>;

// Every interface, opened before anything in the store is touched; one link type for all.
Result<Interfaces> open_interfaces(const CaptureOptions& o) {
  Interfaces ifaces;
  for (const auto& name : o.interfaces) {
    InterfaceOptions io;
    io.name = name;
    io.snaplen = o.snaplen;
    io.buffer_bytes = o.buffer_bytes;
    io.filter = o.filter;
    io.tstamp = o.tstamp;
    auto li = LiveInterface::open(io);
    if (!li) return fail(li.error());
    if (!ifaces.empty() && (*li)->linktype() != ifaces.front()->linktype()) {
      return fail(Errc::kUnsupported,
                  fmt::format("interfaces {} (link type {}) and {} (link type {}) differ: a stream holds one link "
                              "type; run one capture per link type, each with its own --name",
                              ifaces.front()->name(), ifaces.front()->linktype(), name, (*li)->linktype()));
    }
    ifaces.push_back(std::move(*li));
  }
  return ifaces;
}

// Streams left by a capture that died are closed before a new one starts.
void recover_earlier_streams(const std::string& store_dir, const Log& log) {
  auto recovered = store::recover_streams(store_dir);
  if (!recovered) {
    log("warning: recovering earlier streams: " + recovered.error().message());
    return;
  }
  for (const auto& r : *recovered) {
    log(
        fmt::format("recovered stream {}: its capture stopped without finishing; every packet before {} was "
                    "stored, later ones only as far as they reached the disk; kept {} whole records of its open "
                    "segment {}, cut {} bytes of a torn record",
                    r.name, ns_text(r.last_watermark_ts), r.packets_kept, r.segment, r.cut_bytes));
  }
}

store::StreamOptions stream_options(const CaptureOptions& o, const LiveInterface& first) {
  store::StreamOptions so;
  so.store_dir = o.store_dir;
  so.capture = o.name.empty() ? o.interfaces.front() : o.name;
  so.interfaces = o.interfaces;
  so.linktype = static_cast<std::uint32_t>(first.linktype());
  so.snaplen = o.snaplen;
  so.tstamp = first.tstamp();
  so.filter = o.filter;
  so.segment_bytes = o.segment_bytes;
  return so;
}

/// The writer's loop: chunks from the capture threads into the stream, the watermark every
/// publish period, a status line every second, until a signal or an error.
class CaptureLoop {
 public:
  CaptureLoop(const CaptureOptions& o, Interfaces& ifaces, store::StreamWriter& w, CaptureReport& report)
      : o_(o),
        ifaces_(ifaces),
        w_(w),
        report_(report),
        pool_(std::max<std::size_t>(4, o.queue_bytes / kChunkBytes), kChunkBytes) {}

  /// Runs the capture threads and the loop; stops them, stores what they held and finishes the
  /// stream. The error that ended it, if any.
  Result<void> run(const Log& log) {
    // The capture threads run with SIGINT/SIGTERM blocked; this thread takes them.
    sigset_t stop_signals, previous;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    std::vector<std::thread> threads;
    for (auto& li : ifaces_) threads.emplace_back([&li, this] { li->run(pool_, queue_); });
    RetentionThread retention(o_.store_dir, o_.retention, o_.retention_seconds, log);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    Result<void> failure = loop();
    // Stop: every interface hands over what it holds, the writer stores it and completes the stream.
    for (auto& li : ifaces_) li->stop();
    for (auto& t : threads) t.join();
    retention.stop();
    if (failure) {
      queue_.take_all(chunks_, std::chrono::milliseconds(0));
      failure = write_chunks();
    }
    report_.drops = totals();
    if (failure) failure = w_.finish(report_.drops, wall_ns());
    return failure;
  }

 private:
  Result<void> loop() {
    std::int64_t last_publish = 0;
    last_status_ = mono_ns();
    while (interrupt_count().load() == 0) {
      // The watermark candidate is read before the chunks: every packet below it is queued.
      const std::uint64_t candidate = below();
      queue_.take_all(chunks_, std::chrono::milliseconds(10));
      if (auto r = write_chunks(); !r) return r;
      if (interface_failed()) return {};
      const std::int64_t now = mono_ns();
      if (now - last_publish >= std::int64_t{o_.publish_ms} * 1'000'000) {
        if (auto r = w_.publish(candidate, totals(), wall_ns()); !r) return r;
        last_publish = now;
      }
      if (o_.status_json && now - last_status_ >= 1'000'000'000) status_line(now);
    }
    return {};
  }

  Result<void> write_chunks() {
    Result<void> r;
    for (store::RecordChunk* c : chunks_) {
      if (r) r = w_.write(*c);  // after a failure the rest are only returned to the pool
      pool_.release(c);
    }
    chunks_.clear();
    return r;
  }

  bool interface_failed() {
    bool failed = false;
    for (const auto& li : ifaces_) {
      if (!li->error().empty()) {
        report_.error = li->error();
        failed = true;
      }
    }
    return failed;
  }

  [[nodiscard]] store::Drops totals() const {
    store::Drops d;
    for (const auto& li : ifaces_) {
      InterfaceCounters c = li->counters();
      d.kernel += c.kernel_drops;
      d.iface += c.if_drops;
      d.overflow += c.overflow;
    }
    return d;
  }

  // Every interface has handed over its packets below this time.
  [[nodiscard]] std::uint64_t below() const {
    std::uint64_t b = std::numeric_limits<std::uint64_t>::max();
    for (const auto& li : ifaces_) b = std::min(b, li->delivered_below());
    return b;
  }

  void status_line(std::int64_t now) {
    const store::Drops d = totals();
    const double secs = static_cast<double>(now - last_status_) / 1e9;
    nlohmann::ordered_json j = {{"module", "pushcap"},
                                {"subsystem", "capture"},
                                {"timestamp", wall_ns() / 1'000'000'000},
                                {"Stream", w_.name()},
                                {"TotalPkt", w_.packets()},
                                {"TotalByte", w_.bytes()},
                                {"CaptureMbps", static_cast<double>(w_.bytes() - status_bytes_) * 8 / 1e6 / secs},
                                {"KernelDrops", d.kernel},
                                {"IfDrops", d.iface},
                                {"WriterBehindDrops", d.overflow},
                                {"Late", w_.late()},
                                {"Segments", report_.segments},
                                {"WatermarkTS", w_.last_published().ts_ns}};
    o_.status_json(j.dump());
    status_bytes_ = w_.bytes();
    last_status_ = now;
  }

  const CaptureOptions& o_;
  Interfaces& ifaces_;
  store::StreamWriter& w_;
  CaptureReport& report_;
  store::ChunkPool pool_;
  store::ChunkQueue queue_;
  std::vector<store::RecordChunk*> chunks_;
  std::int64_t last_status_ = 0;
  std::uint64_t status_bytes_ = 0;
};

}  // namespace

Result<CaptureReport> run_capture(const CaptureOptions& o) {
  Log log = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  if (o.interfaces.empty()) return fail(Errc::kInvalidArgument, "no interface: give at least one --iface");
  if (o.publish_ms <= 0 || o.publish_ms > 100) {
    return fail(Errc::kInvalidArgument, "the watermark period must be 1 to 100 ms");
  }
  auto ifaces = open_interfaces(o);
  if (!ifaces) return fail(ifaces.error());
  recover_earlier_streams(o.store_dir, log);
  const store::StreamOptions so = stream_options(o, *ifaces->front());
  const std::int64_t started_mono = mono_ns();
  auto writer = store::StreamWriter::create(so, wall_ns());
  if (!writer) return fail(writer.error());
  store::StreamWriter& w = **writer;
  if (auto r = store::write_retention_file(o.store_dir, o.retention); !r) log("warning: " + r.error().message());
  CaptureReport report;
  report.stream = w.name();
  w.on_segment([&](const store::SegmentIndex& idx) {
    ++report.segments;
    log(
        fmt::format("segment {} complete: {} packets, {} bytes, {} .. {}; drops: kernel {}, interface {}, "
                    "writer behind {}",
                    idx.segment, idx.packets, idx.file_bytes, ns_text(idx.first_ts), ns_text(idx.last_ts),
                    idx.drops.kernel, idx.drops.iface, idx.drops.overflow));
  });
  std::string names;
  for (const auto& li : *ifaces) names += (names.empty() ? "" : ", ") + li->name() + " (" + li->tstamp() + " time)";
  log(fmt::format("capture {} into {}: {}; link type {}, snap length {}, segments of {} bytes{}", w.name(), w.dir(),
                  names, so.linktype, so.snaplen, so.segment_bytes,
                  o.filter.empty() ? "" : fmt::format(", filter \"{}\"", o.filter)));

  Result<void> failure = CaptureLoop(o, *ifaces, w, report).run(log);
  report.packets = w.packets();
  report.bytes = w.bytes();
  report.late = w.late();
  report.seconds = static_cast<double>(mono_ns() - started_mono) / 1e9;
  report.signal = interrupt_count().load() > 0 ? first_interrupt().load() : 0;
  if (!failure) {
    report.error = failure.error().message() +
                   " (the stream stays readable up to its last watermark; the next capture recovers it)";
  }
  return report;
}

}  // namespace pushcap::live
