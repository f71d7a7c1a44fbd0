#include "store/store_status.h"

#include "store/store_layout.h"
#include "store/stream_lock.h"

namespace pushcap::store {

const char* stream_state_name(StreamState state) {
  switch (state) {
    case StreamState::kCapturing:
      return "capturing";
    case StreamState::kEnded:
      return "ended";
    case StreamState::kRecovered:
      return "recovered";
    case StreamState::kCrashed:
      break;
  }
  return "crashed";
}

namespace {

StreamStatus stream_status(const std::string& store_dir, const StreamName& name) {
  const std::string dir = store_dir + "/" + name.text();
  StreamStatus s;
  s.name = name.text();
  if (auto meta = read_stream_meta(dir)) {
    s.meta = std::move(*meta);
  } else {
    s.problems.push_back(meta.error().message());
  }
  if (auto w = read_watermark(dir + "/" + kWatermarkFile); !w) {
    s.problems.push_back(w.error().message());
  } else if (*w) {
    s.watermark = **w;
  }
  if (auto segs = list_segments(dir)) {
    for (const auto& e : *segs) s.bytes_on_disk += e.size;
    s.segments = segs->size();
  } else {
    s.problems.push_back(segs.error().message());
  }
  // A live writer holds the stream's lock; without one, stream.json says how it ended.
  if (stream_writer_alive(dir)) {
    s.state = StreamState::kCapturing;
  } else if (s.meta && s.meta->end == "clean") {
    s.state = StreamState::kEnded;
  } else if (s.meta && s.meta->end == "recovered") {
    s.state = StreamState::kRecovered;
  } else {
    s.state = StreamState::kCrashed;
  }
  return s;
}

}  // namespace

Result<StoreStatus> read_store_status(const std::string& store_dir) {
  StoreStatus out;
  out.store = store_dir;
  auto streams = list_streams(store_dir);
  if (!streams) return fail(streams.error());
  auto limits = read_retention_file(store_dir);
  if (!limits) return fail(limits.error());
  out.limits = *limits;
  for (const auto& name : *streams) {
    StreamStatus s = stream_status(store_dir, name);
    out.segments += s.segments;
    out.bytes_on_disk += s.bytes_on_disk;
    out.streams.push_back(std::move(s));
  }
  return out;
}

}  // namespace pushcap::store
