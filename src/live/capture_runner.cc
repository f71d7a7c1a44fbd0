#include "live/capture_runner.h"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/interrupt.h"
#include "live/live_interface.h"
#include "store/record_chunk.h"
#include "store/recovery.h"
#include "store/stream_writer.h"

namespace pushcap::live {
namespace {

constexpr std::size_t kChunkBytes = 1u << 20;

// The retention thread: a pass at start and every `period`, until stopped.
class RetentionThread {
 public:
  RetentionThread(std::string store, store::RetentionLimits limits, int period_s,
                  std::function<void(const std::string&)> log)
      : store_(std::move(store)), limits_(limits), period_(period_s), log_(std::move(log)) {
    if (limits_.max_bytes != 0 || limits_.max_age_ns != 0) thread_ = std::thread([this] { loop(); });
  }
  ~RetentionThread() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!done_) {
      lock.unlock();
      auto pass = store::apply_retention(store_, limits_, static_cast<std::uint64_t>(wall_ns()));
      if (!pass) {
        log_("retention error: " + pass.error().message());
      } else {
        for (const auto& d : pass->deleted) {
          log_(fmt::format("retention: deleted {}/seg {} ({} bytes, packets {} .. {}) for the {} limit", d.stream,
                           d.seq, d.bytes, ns_text(d.first_ts), ns_text(d.last_ts), d.for_age ? "age" : "size"));
        }
        for (const auto& s : pass->removed_streams) log_("retention: removed the empty stream " + s);
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(period_), [&] { return done_; });
    }
  }

  std::string store_;
  store::RetentionLimits limits_;
  int period_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

Result<CaptureReport> run_capture(const CaptureOptions& o) {
  auto log = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  if (o.interfaces.empty()) return fail(Errc::kInvalidArgument, "no interface: give at least one --iface");
  if (o.publish_ms <= 0 || o.publish_ms > 100) {
    return fail(Errc::kInvalidArgument, "the watermark period must be 1 to 100 ms");
  }
  // Interfaces first: nothing in the store is touched when one cannot be captured.
  std::vector<std::unique_ptr<LiveInterface>> ifaces;
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
  // Streams left by a capture that died are closed before a new one starts.
  auto recovered = store::recover_streams(o.store_dir);
  if (!recovered) {
    log("warning: recovering earlier streams: " + recovered.error().message());
  } else {
    for (const auto& r : *recovered) {
      log(
          fmt::format("recovered stream {}: its capture stopped without finishing; every packet before {} was "
                      "stored, later ones only as far as they reached the disk; kept {} whole records of its open "
                      "segment {}, cut {} bytes of a torn record",
                      r.name, ns_text(r.last_watermark_ts), r.packets_kept, r.segment, r.cut_bytes));
    }
  }
  store::StreamOptions so;
  so.store_dir = o.store_dir;
  so.capture = o.name.empty() ? o.interfaces.front() : o.name;
  so.interfaces = o.interfaces;
  so.linktype = static_cast<std::uint32_t>(ifaces.front()->linktype());
  so.snaplen = o.snaplen;
  so.tstamp = ifaces.front()->tstamp();
  so.filter = o.filter;
  so.segment_bytes = o.segment_bytes;
  const std::int64_t started_mono = mono_ns();
  auto writer = store::StreamWriter::create(so, wall_ns());
  if (!writer) return fail(writer.error());
  store::StreamWriter& w = **writer;
  if (auto r = store::write_retention_file(o.store_dir, o.retention); !r) {
    log("warning: " + r.error().message());
  }
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
  for (const auto& li : ifaces) names += (names.empty() ? "" : ", ") + li->name() + " (" + li->tstamp() + " time)";
  log(fmt::format("capture {} into {}: {}; link type {}, snap length {}, segments of {} bytes{}", w.name(), w.dir(),
                  names, so.linktype, so.snaplen, so.segment_bytes,
                  o.filter.empty() ? "" : fmt::format(", filter \"{}\"", o.filter)));

  // The capture threads run with SIGINT/SIGTERM blocked; this thread takes them.
  sigset_t stop_signals, previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  store::ChunkPool pool(std::max<std::size_t>(4, o.queue_bytes / kChunkBytes), kChunkBytes);
  store::ChunkQueue queue;
  std::vector<std::thread> threads;
  for (auto& li : ifaces) threads.emplace_back([&li, &pool, &queue] { li->run(pool, queue); });
  RetentionThread retention(o.store_dir, o.retention, o.retention_seconds, log);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  auto totals = [&] {
    store::Drops d;
    for (const auto& li : ifaces) {
      InterfaceCounters c = li->counters();
      d.kernel += c.kernel_drops;
      d.iface += c.if_drops;
      d.overflow += c.overflow;
    }
    return d;
  };
  auto below = [&] {
    std::uint64_t b = std::numeric_limits<std::uint64_t>::max();
    for (const auto& li : ifaces) b = std::min(b, li->delivered_below());
    return b;
  };
  std::vector<store::RecordChunk*> chunks;
  std::int64_t last_publish = 0, last_status = mono_ns();
  std::uint64_t status_bytes = 0;
  auto write_chunks = [&]() -> Result<void> {
    Result<void> r;
    for (store::RecordChunk* c : chunks) {
      if (r) r = w.write(*c);  // after a failure the rest are only returned to the pool
      pool.release(c);
    }
    chunks.clear();
    return r;
  };
  Result<void> failure;
  while (interrupt_count().load() == 0) {
    // The watermark candidate is read before the chunks: every packet below it is queued.
    const std::uint64_t candidate = below();
    queue.take_all(chunks, std::chrono::milliseconds(10));
    if (failure = write_chunks(); !failure) break;
    bool iface_failed = false;
    for (const auto& li : ifaces) {
      if (!li->error().empty()) {
        report.error = li->error();
        iface_failed = true;
      }
    }
    if (iface_failed) break;
    const std::int64_t now = mono_ns();
    if (now - last_publish >= std::int64_t{o.publish_ms} * 1'000'000) {
      if (failure = w.publish(candidate, totals(), wall_ns()); !failure) break;
      last_publish = now;
    }
    if (o.status_json && now - last_status >= 1'000'000'000) {
      const store::Drops d = totals();
      const double secs = static_cast<double>(now - last_status) / 1e9;
      nlohmann::ordered_json j = {{"module", "pushcap"},
                                  {"subsystem", "capture"},
                                  {"timestamp", wall_ns() / 1'000'000'000},
                                  {"Stream", w.name()},
                                  {"TotalPkt", w.packets()},
                                  {"TotalByte", w.bytes()},
                                  {"CaptureMbps", static_cast<double>(w.bytes() - status_bytes) * 8 / 1e6 / secs},
                                  {"KernelDrops", d.kernel},
                                  {"IfDrops", d.iface},
                                  {"WriterBehindDrops", d.overflow},
                                  {"Late", w.late()},
                                  {"Segments", report.segments},
                                  {"WatermarkTS", w.last_published().ts_ns}};
      o.status_json(j.dump());
      status_bytes = w.bytes();
      last_status = now;
    }
  }
  // Stop: every interface hands over what it holds, the writer stores it and completes the stream.
  for (auto& li : ifaces) li->stop();
  for (auto& t : threads) t.join();
  retention.stop();
  if (failure) {
    queue.take_all(chunks, std::chrono::milliseconds(0));
    failure = write_chunks();
  }
  report.drops = totals();
  if (failure) failure = w.finish(report.drops, wall_ns());
  report.packets = w.packets();
  report.bytes = w.bytes();
  report.late = w.late();
  report.seconds = static_cast<double>(mono_ns() - started_mono) / 1e9;
  report.signal = interrupt_count().load() > 0 ? first_interrupt().load() : 0;
  if (!failure) {
    report.error = failure.error().message() +
                   " (the stream stays readable up to its last watermark; the next "
                   "capture recovers it)";
  }
  return report;
}

}  // namespace pushcap::live
