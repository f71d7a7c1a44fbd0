#include "store/store_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "capture/incremental_reader.h"
#include "core/clock.h"
#include "core/fd.h"
#include "core/interrupt.h"
#include "store/retention.h"
#include "store/segment_index.h"
#include "store/segment_writer.h"
#include "store/store_layout.h"
#include "store/stream_meta.h"

namespace pushcap::store {
namespace {

constexpr std::uint64_t kNoTs = ~std::uint64_t{0};

}  // namespace

std::uint32_t StoreSource::add_input(const std::string& stream, std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  inputs_.emplace_back(stream, seq);
  stats_.stream = stream;
  return static_cast<std::uint32_t>(inputs_.size() - 1);
}

std::string StoreSource::input_name(std::uint32_t index) const {
  std::lock_guard lock(mutex_);
  if (index >= inputs_.size()) return {};
  return inputs_[index].first + "/" + segment_file(inputs_[index].second);
}

namespace {
// "STREAM/seg_N.pcap" -> (stream name, N).
std::optional<std::pair<StreamName, std::uint64_t>> split_input(const std::string& key) {
  const std::size_t slash = key.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto name = parse_stream_name(key.substr(0, slash));
  const std::string file = key.substr(slash + 1);
  if (!name || file.size() != 4 + 16 + 5 || file.compare(0, 4, "seg_") != 0) return std::nullopt;
  std::uint64_t seq = 0;
  for (std::size_t i = 4; i < 20; ++i) {
    if (file[i] < '0' || file[i] > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(file[i] - '0');
  }
  return std::make_pair(*name, seq);
}
}  // namespace

bool StoreSource::input_before(const std::string& a, const std::string& b) const {
  auto x = split_input(a);
  auto y = split_input(b);
  if (!x || !y) return a < b;
  if (x->first < y->first) return true;
  if (y->first < x->first) return false;
  return x->second < y->second;
}

bool StoreSource::resume_at(const std::string& input, std::uint64_t seek) {
  auto at = split_input(input);
  if (!at) return false;
  options_.start = StoreSourceOptions::Start::kPosition;
  options_.position = StorePosition{at->first.text(), at->second, std::max<std::uint64_t>(seek, kSegmentHeader)};
  return true;
}

StorePosition StoreSource::position_of(std::uint32_t index, std::uint64_t offset) const {
  std::lock_guard lock(mutex_);
  StorePosition p;
  if (index < inputs_.size()) {
    p.stream = inputs_[index].first;
    p.segment = inputs_[index].second;
  }
  p.offset = offset;
  return p;
}

StoreSourceStats StoreSource::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

double StoreSource::lag_seconds() const {
  std::lock_guard lock(mutex_);
  if (stats_.store_ts == 0 || stats_.store_ts == kNoTs || stats_.delivered_ts >= stats_.store_ts) return 0;
  if (stats_.delivered_ts == 0) return 0;
  return static_cast<double>(stats_.store_ts - stats_.delivered_ts) / 1e9;
}

bool StoreSource::sleep_poll() {
  if (interrupt_count().load() > 0) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
  return interrupt_count().load() == 0;
}

bool StoreSource::choose_start(const capture::SourceEvents& ev, capture::SourceOutcome& outcome, StorePosition& at) {
  using Start = StoreSourceOptions::Start;
  const std::string& store = options_.store_dir;
  auto say = [&](const std::string& text) {
    if (ev.notice) ev.notice(text);
  };
  auto error = [&](const std::string& text) {
    outcome.errors.emplace_back(Errc::kInvalidArgument, text);
    return false;
  };
  if (options_.start == Start::kOffline) {
    if (!path_exists(store + "/" + options_.offline_stream + "/" + kStreamMetaFile)) {
      std::string names;
      if (auto all = list_streams(store)) {
        for (const auto& s : *all) names += (names.empty() ? "" : ", ") + s.text();
      }
      return error(fmt::format("--offline {}: no such stream in the store {} (streams: {})", options_.offline_stream,
                               store, names.empty() ? "none" : names));
    }
    auto name = parse_stream_name(options_.offline_stream);
    if (name) options_.capture = name->capture;
    at = StorePosition{options_.offline_stream, first_segment(store + "/" + options_.offline_stream), kSegmentHeader};
    return true;
  }
  if (options_.start == Start::kPosition) {
    at = options_.position;
    if (auto name = parse_stream_name(at.stream); name && options_.capture.empty()) options_.capture = name->capture;
    return true;
  }
  // The newest stream of the capture (waiting for one in realtime).
  bool waited = false;
  std::vector<StreamName> streams;
  for (;;) {
    auto all = list_streams(store, options_.capture);
    if (!all) {
      if (options_.start == Start::kRange) return error(all.error().message());
    } else if (!all->empty()) {
      streams = *all;
      break;
    }
    if (options_.start == Start::kRange) {
      return error(fmt::format("the store {} holds no stream{}", store,
                               options_.capture.empty() ? "" : " of the capture " + options_.capture));
    }
    if (!waited) {
      say(fmt::format("waiting for a stream{} in the store {}",
                      options_.capture.empty() ? "" : " of the capture " + options_.capture, store));
      waited = true;
    }
    if (!sleep_poll()) {
      outcome.interrupted = true;
      return false;
    }
  }
  if (options_.capture.empty()) options_.capture = streams.back().capture;
  // Only the newest stream's capture is followed.
  std::vector<StreamName> mine;
  for (const auto& s : streams) {
    if (s.capture == options_.capture) mine.push_back(s);
  }
  const std::string newest = mine.back().text();
  if (options_.start == Start::kStreamStart) {
    at = StorePosition{newest, first_segment(store + "/" + newest), kSegmentHeader};
    return true;
  }
  if (options_.start == Start::kNow) {
    auto w = read_watermark(store + "/" + newest + "/" + kWatermarkFile);
    if (w && *w && !(*w)->ended) {
      at = StorePosition{newest, (*w)->segment, std::max<std::uint64_t>((*w)->segment_bytes, kSegmentHeader)};
    } else {
      // The newest stream has ended: what comes next is a new stream.
      at = StorePosition{newest, w && *w ? (*w)->segment + 1 : 1, kSegmentHeader};
    }
    return true;
  }
  // kRange: the first segment that may hold a packet at or after from_ns.
  for (const auto& s : mine) {
    const std::string dir = store + "/" + s.text();
    auto segs = list_segments(dir);
    if (!segs) continue;
    for (const auto& seg : *segs) {
      if (!seg.complete) {
        at = StorePosition{s.text(), seg.seq, kSegmentHeader};
        return true;
      }
      auto idx = read_index(dir, seg.seq);
      if (!idx) continue;
      if (idx->max_ts >= options_.from_ns && idx->packets != 0) {
        at = StorePosition{s.text(), seg.seq, idx->offset_for(options_.from_ns)};
        return true;
      }
    }
  }
  say(fmt::format("no packet at or after {} in the store {}", ns_text(options_.from_ns), store));
  return false;
}

void StoreSource::warn_retention(const capture::SourceEvents& ev, const std::string& stream, std::uint64_t seq,
                                 std::uint64_t seg_last_ts) {
  const std::int64_t now = mono_ns();
  // Once per segment reached, and every second within one.
  if (!ev.notice || warned_segment_ == seq ||
      (checked_segment_ == seq && now - last_retention_check_ < 1'000'000'000)) {
    return;
  }
  last_retention_check_ = now;
  checked_segment_ = seq;
  auto read = read_retention_file(options_.store_dir);
  if (!read) {
    // Said once per segment reached: the warning this check gives cannot be given.
    ev.notice("warning: cannot check how close retention is: " + read.error().message());
    return;
  }
  const RetentionLimits limits = *read;
  if (limits.max_bytes == 0 && limits.max_age_ns == 0) return;
  std::string why;
  if (limits.max_age_ns != 0 && seg_last_ts != 0) {
    const std::uint64_t wall = static_cast<std::uint64_t>(wall_ns());
    const std::uint64_t goes_at = seg_last_ts + limits.max_age_ns;
    if (goes_at < wall + limits.max_age_ns / 10) {
      why = fmt::format("it reaches the age limit in {:.0f} s",
                        goes_at > wall ? static_cast<double>(goes_at - wall) / 1e9 : 0.0);
    }
  }
  if (why.empty() && limits.max_bytes != 0) {
    // Retention deletes the oldest segments first: this one goes once it and the newer ones
    // pass the limit.
    std::uint64_t total = 0, newer = 0;
    bool seen_mine = false;
    if (auto streams = list_streams(options_.store_dir)) {
      for (const auto& s : *streams) {
        auto segs = list_segments(options_.store_dir + "/" + s.text());
        if (!segs) continue;
        for (const auto& e : *segs) {
          total += e.size;
          if (s.text() == stream && e.seq == seq) seen_mine = true;
          if (seen_mine) newer += e.size;  // this segment and every later one
        }
      }
    }
    if (seen_mine && newer + limits.max_bytes / 10 > limits.max_bytes) {
      why = fmt::format("the store ({} bytes, limit {}) can take about {} more bytes before it is deleted", total,
                        limits.max_bytes, limits.max_bytes > newer ? limits.max_bytes - newer : 0);
    }
  }
  if (!why.empty()) {
    warned_segment_ = seq;
    ev.notice(
        fmt::format("warning: this push lags the capture ({:.1f} s behind) and retention is about to delete "
                    "what it has not read: stream {} segment {}: {}",
                    lag_seconds(), stream, seq, why));
  }
}

}  // namespace pushcap::store
