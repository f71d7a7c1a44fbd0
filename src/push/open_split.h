#pragma once
// One split being written by a target: its output (file, codec, PipeCmd or rcat), the pcap
// writer in front of it, where its first and last records are in the source (for checkpoints),
// and the facts its close script and event will carry. Target thread only.

#include <cstdint>
#include <memory>

#include "capture/batch.h"
#include "capture/link_format.h"
#include "core/result.h"
#include "push/packet_path.h"
#include "push/split_output.h"
#include "push/target_checkpoints.h"
#include "split/file_namer.h"
#include "split/finished_split.h"
#include "split/pcap_writer.h"
#include "split/split_policy.h"

namespace pushcap::push {

class OpenSplit {
 public:
  /// Starts a split on `output` with the file header for `format`. `encoded`: the file's bytes
  /// are not the pcap stream itself (its header cannot be patched at the end); `changes_packets`:
  /// decap may make records longer than the input's snap length.
  void start(std::unique_ptr<SplitOutput> output, capture::LinkFormat format, bool encoded, bool changes_packets);
  [[nodiscard]] bool is_open() const { return output_ != nullptr; }

  /// True when the split must close before a record of `record_bytes` (header included) joins it.
  [[nodiscard]] bool full(const split::SplitPolicy& policy, std::uint64_t record_bytes) const {
    return policy.file_full(file_bytes_, packets_, record_bytes);
  }
  /// Writes record `r` of `batch` as `frame` says (a changed frame gets a new record header).
  Result<void> add(const capture::Batch& batch, const capture::Record& r, const PathFrame& frame);
  /// Writes out what the batch left staged (a run of records straight from the batch).
  Result<void> end_batch() { return writer_.end_batch(); }
  /// Writes out everything, ends the codec and the PipeCmd (a failed command is the output's
  /// pipe_error(), not an error here), and raises the header's snap length to the longest
  /// changed record. An error is a write error: the split cannot be published.
  Result<void> finish();
  /// The facts of the finished split: `times` name it, `closing_ts` closed it.
  [[nodiscard]] split::FinishedSplit facts(const split::SplitTimes& times, std::uint64_t closing_ts) const;
  /// Hands the output over (to be delivered or abandoned); the split is no longer open.
  std::unique_ptr<SplitOutput> take() { return std::move(output_); }

  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::uint64_t first_ts() const { return first_ts_; }
  [[nodiscard]] std::uint64_t last_ts() const { return last_ts_; }
  [[nodiscard]] const SourcePos& first() const { return first_; }
  [[nodiscard]] const SourcePos& last() const { return last_; }
  [[nodiscard]] SplitOutput* output() const { return output_.get(); }

 private:
  std::unique_ptr<SplitOutput> output_;
  split::PcapWriter writer_;
  bool encoded_ = false;
  SourcePos first_, last_;
  std::uint32_t header_snaplen_ = 0;  // snap length in the file header
  std::uint32_t max_caplen_ = 0;      // longest changed record; the header is raised to it at close
  std::uint64_t file_bytes_ = 0;      // header + records
  std::uint64_t packets_ = 0;
  std::uint64_t first_ts_ = 0;
  std::uint64_t last_ts_ = 0;
  std::int64_t opened_wall_ = 0;
};

}  // namespace pushcap::push
