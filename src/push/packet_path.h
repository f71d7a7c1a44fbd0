#pragma once
// The first half of a packet's way through a target, with no I/O: trailer and decap (the
// FramePipeline), FilterFrame, the output format the packet is written in, its BPF program
// (compiled on first use per output format, so the program is exactly tcpdump's for that file),
// and whether classic pcap can hold its timestamp. One verdict per record; nothing here
// allocates per packet, throws or logs (a program that does not compile is said once).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/batch.h"
#include "capture/link_format.h"
#include "config/push_config.h"
#include "decap/frame_pipeline.h"
#include "decap/frame_tags.h"
#include "filter/bpf_program.h"
#include "filter/frame_filter.h"
#include "push/target_log.h"
#include "push/target_stats.h"

namespace pushcap::push {

/// How packets of one input format leave a target: their output format (the input's, or
/// Ethernet once de-encapsulated), the BPF program for it, and the file stream they go to.
struct OutputFormat {
  capture::LinkFormat format;
  std::optional<filter::BpfProgram> program;
  std::uint8_t program_state = 0;  ///< 0 not compiled yet, 1 ok, 2 does not compile for this format
  std::int16_t stream = -1;        ///< the target's stream for it; -1 until the target picks one
};

/// A record as the target writes it.
struct PathFrame {
  const std::uint8_t* data = nullptr;
  std::uint32_t caplen = 0;
  std::uint32_t wirelen = 0;
  std::uint64_t ts = 0;
  bool changed = false;  ///< bytes, lengths or time differ from the input record (a header is built)
  OutputFormat* output = nullptr;
};

/// What becomes of a record.
enum class Verdict : std::uint8_t { kWrite, kFiltered, kDrop };

class PacketPath {
 public:
  /// `log` says when FilterBPF does not compile for a link type; it must outlive the path.
  PacketPath(const config::TargetConfig& config, const TargetLog& log);

  /// Runs record `r` of `batch` through the path. kWrite fills `frame`; kDrop sets `reason`.
  Verdict apply(const capture::Batch& batch, const capture::Record& r, PathFrame& frame, DropReason& reason);

  /// True when the target decapsulates, strips a trailer or reads frame tags.
  [[nodiscard]] bool decodes() const { return pipeline_.has_value() || has_frame_filter_; }
  /// True when a pipeline may change packets (decap, trailer, hardware time).
  [[nodiscard]] bool changes_packets() const { return pipeline_.has_value(); }
  /// The pipeline's counters (zero without one).
  [[nodiscard]] decap::DecapCounters decap_counters() const {
    return pipeline_ ? pipeline_->counters() : decap::DecapCounters{};
  }

 private:
  OutputFormat& output_for(capture::FormatId id, const capture::LinkFormat& input, bool converted);
  const filter::BpfProgram* program_for(OutputFormat& out);

  const TargetLog& log_;
  std::string filter_bpf_;
  bool has_filter_ = false;
  std::optional<decap::FramePipeline> pipeline_;
  filter::FrameFilter frame_filter_;
  bool has_frame_filter_ = false;
  decap::FrameTags tags_;
  // One output per (input format id, de-encapsulated or not); pointers into it stay valid.
  std::vector<std::unique_ptr<OutputFormat>> outputs_;
  std::array<std::vector<OutputFormat*>, 2> output_of_format_;  // [converted][format id]
};

}  // namespace pushcap::push
