#include "store/importer.h"

#include <cstring>

#include <fmt/format.h>

#include "capture/batch.h"
#include "capture/file_source.h"
#include "core/clock.h"
#include "core/endian.h"
#include "store/record_chunk.h"
#include "store/stream_writer.h"

namespace pushcap::store {

Result<ImportReport> import_captures(const std::vector<capture::Input>& inputs, const ImportOptions& o) {
  ImportReport report;
  const std::int64_t started = mono_ns();
  capture::BatchPool pool(4, 4u << 20);
  capture::FileSource source(inputs, pool);
  std::unique_ptr<StreamWriter> writer;
  std::uint32_t linktype = 0;
  Result<void> failure;
  RecordChunk chunk;
  chunk.capacity = 4u << 20;
  chunk.data = std::make_unique<std::uint8_t[]>(chunk.capacity);
  std::uint64_t last_ts = 0;
  auto flush = [&]() -> Result<void> {
    if (chunk.size == 0) return {};
    auto r = writer->write(chunk);
    chunk.size = 0;
    chunk.packets = 0;
    return r;
  };
  capture::SourceEvents ev;
  ev.batch = [&](capture::BatchPtr batch) {
    if (!failure) return;
    const auto& formats = *batch->formats;
    for (const capture::Record& r : batch->records) {
      const capture::LinkFormat& f = formats[r.format];
      if (!writer) {
        StreamOptions so;
        so.store_dir = o.store_dir;
        so.capture = o.name;
        so.interfaces = {"import"};
        so.linktype = f.linktype;
        so.snaplen = f.snaplen == 0 ? 262144 : f.snaplen;
        so.tstamp = "imported";
        so.segment_bytes = o.segment_bytes;
        auto w = StreamWriter::create(so, wall_ns());
        if (!w) {
          failure = fail(w.error());
          return;
        }
        writer = std::move(*w);
        linktype = f.linktype;
        report.stream = writer->name();
      }
      if (f.linktype != linktype || r.ts_ns >= (std::uint64_t{1} << 32) * 1'000'000'000u) {
        ++report.skipped;
        continue;
      }
      const std::size_t rec = 16 + std::size_t{r.caplen};
      if (chunk.size + rec > chunk.capacity) {
        if (failure = flush(); !failure) return;
      }
      std::uint8_t* out = chunk.data.get() + chunk.size;
      store_le<std::uint32_t>(out, static_cast<std::uint32_t>(r.ts_ns / 1'000'000'000u));
      store_le<std::uint32_t>(out + 4, static_cast<std::uint32_t>(r.ts_ns % 1'000'000'000u));
      store_le<std::uint32_t>(out + 8, r.caplen);
      store_le<std::uint32_t>(out + 12, r.wirelen);
      std::memcpy(out + 16, batch->packet(r), r.caplen);
      chunk.size += rec;
      ++chunk.packets;
      last_ts = std::max(last_ts, r.ts_ns);
    }
  };
  ev.error = [&](const Error& e) {
    if (o.log) o.log("input error: " + e.message());
  };
  capture::SourceOutcome outcome = source.run(ev);
  report.errors = outcome.errors;
  if (!failure) return fail(failure.error());
  if (!writer) return fail(Errc::kInvalidArgument, "nothing to import: the inputs hold no packet");
  if (auto r = flush(); !r) return fail(r.error());
  if (auto r = writer->publish(last_ts + 1, {}, wall_ns()); !r) return fail(r.error());
  if (auto r = writer->finish({}, wall_ns()); !r) return fail(r.error());
  report.packets = writer->packets();
  report.bytes = writer->bytes();
  report.seconds = static_cast<double>(mono_ns() - started) / 1e9;
  return report;
}

}  // namespace pushcap::store
