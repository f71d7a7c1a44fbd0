#pragma once
// `pushcap capture`: live interfaces into a capture store. One thread per interface fills
// record chunks, this thread writes them into the stream and publishes the watermark every
// 50 ms, a retention thread keeps the store within its limits. SIGINT/SIGTERM end it cleanly.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/retention.h"
#include "store/segment_index.h"

namespace pushcap::live {

/// What `pushcap capture` was asked to do.
struct CaptureOptions {
  std::string store_dir;
  std::vector<std::string> interfaces;
  std::string name;  ///< capture name; default: the first interface
  store::RetentionLimits retention;
  std::uint64_t segment_bytes = 256u << 20;
  std::uint64_t buffer_bytes = 256u << 20;  ///< kernel ring per interface
  std::uint64_t queue_bytes = 128u << 20;   ///< chunks between the capture threads and the writer
  std::uint32_t snaplen = 262144;
  std::string filter;
  std::string tstamp = "auto";
  int publish_ms = 50;                                  ///< watermark period (at most 100 ms)
  int retention_seconds = 5;                            ///< retention pass period
  std::function<void(const std::string&)> log;          ///< a line for the log (and stderr)
  std::function<void(const std::string&)> status_json;  ///< a JSON status line each second
};

/// What the capture came to.
struct CaptureReport {
  std::string stream;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  store::Drops drops;
  std::uint64_t late = 0;
  std::uint64_t segments = 0;
  double seconds = 0;
  int signal = 0;
  std::string error;  ///< why it stopped early ("" after a signal)
};

/// Runs until a signal or an error. Fails before touching the store when an interface cannot
/// be opened or the options are wrong.
Result<CaptureReport> run_capture(const CaptureOptions& options);

}  // namespace pushcap::live
