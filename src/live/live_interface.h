#pragma once
// One interface captured with libpcap into record chunks: a large kernel ring (TPACKET_V3 with
// the block timeout below), nanosecond timestamps (the adapter's clock when the NIC offers one
// synced to the system clock), no BPF unless asked. Its thread copies each packet into a chunk
// of the shared pool and hands full or aged chunks to the writer; when the pool is empty the
// packet is dropped and counted (capture never waits for the disk).
//
// It also says how far its packets have been handed over: every packet with a time below
// delivered_below() is in the writer's queue (watermark, DESIGN.md).

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "store/record_chunk.h"

namespace pushcap::live {

/// How an interface is opened.
struct InterfaceOptions {
  std::string name;
  std::uint32_t snaplen = 262144;
  std::uint64_t buffer_bytes = 256u << 20;  ///< kernel ring (pcap_set_buffer_size)
  std::string filter;                       ///< BPF, "" = every packet
  std::string tstamp = "auto";              ///< auto | host | adapter | adapter_unsynced
  int block_timeout_ms = 10;                ///< TPACKET_V3 block retire timeout
  bool promisc = true;
};

/// Counters of one interface (any thread).
struct InterfaceCounters {
  std::uint64_t packets = 0;  ///< handed to the writer
  std::uint64_t bytes = 0;    ///< record bytes handed to the writer
  std::uint64_t kernel_drops = 0;
  std::uint64_t if_drops = 0;
  std::uint64_t overflow = 0;  ///< dropped: no free chunk
};

/// One live interface.
class LiveInterface {
 public:
  /// Opens and activates the interface; the error names it and says what to do.
  static Result<std::unique_ptr<LiveInterface>> open(const InterfaceOptions& options);
  ~LiveInterface();
  LiveInterface(const LiveInterface&) = delete;
  LiveInterface& operator=(const LiveInterface&) = delete;

  /// The capture loop (its own thread) until stop().
  void run(store::ChunkPool& pool, store::ChunkQueue& queue);
  /// Ends run() soon (any thread).
  void stop();

  [[nodiscard]] const std::string& name() const { return options_.name; }
  [[nodiscard]] int linktype() const { return linktype_; }
  [[nodiscard]] const std::string& tstamp() const { return tstamp_; }
  /// Every packet with a timestamp below this is handed to the writer.
  [[nodiscard]] std::uint64_t delivered_below() const { return delivered_below_.load(std::memory_order_acquire); }
  [[nodiscard]] InterfaceCounters counters() const;
  /// A libpcap error that ended run() early ("" if none).
  [[nodiscard]] std::string error() const;

 private:
  explicit LiveInterface(InterfaceOptions options) : options_(std::move(options)) {}
  static void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes);
  void add(const pcap_pkthdr* h, const u_char* bytes);
  void hand_over();
  void read_stats();

  InterfaceOptions options_;
  pcap_t* pcap_ = nullptr;
  int linktype_ = 0;
  std::string tstamp_;
  std::atomic<bool> stop_{false};
  int stop_fd_ = -1;  // eventfd: wakes the poll on stop()
  store::ChunkPool* pool_ = nullptr;
  store::ChunkQueue* queue_ = nullptr;
  store::RecordChunk* chunk_ = nullptr;
  std::uint64_t last_ts_ = 0;  // newest timestamp in the dispatch just done
  std::atomic<std::uint64_t> delivered_below_{0};
  std::atomic<std::uint64_t> packets_{0}, bytes_{0}, kernel_drops_{0}, if_drops_{0}, overflow_{0};
  std::string error_;
  std::atomic<bool> has_error_{false};
};

}  // namespace pushcap::live
