#include "live/live_interface.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/endian.h"

namespace pushcap::live {
namespace {

// A chunk with packets is handed over at least this often, so the watermark keeps moving.
constexpr std::int64_t kHandOverNs = 20'000'000;
constexpr std::int64_t kStatsNs = 100'000'000;

std::string tstamp_name(int type) {
  const char* n = pcap_tstamp_type_val_to_name(type);
  return n != nullptr ? n : std::to_string(type);
}

// The timestamp types an interface offers, as names ("host" when it lists none).
std::vector<int> tstamp_types(pcap_t* p) {
  int* types = nullptr;
  int n = pcap_list_tstamp_types(p, &types);
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(types[i]);
  if (types != nullptr) pcap_free_tstamp_types(types);
  return out;
}

}  // namespace

Result<std::unique_ptr<LiveInterface>> LiveInterface::open(const InterfaceOptions& options) {
  std::unique_ptr<LiveInterface> li(new LiveInterface(options));
  const std::string& name = options.name;
  char err[PCAP_ERRBUF_SIZE] = {};
  li->pcap_ = pcap_create(name.c_str(), err);
  if (li->pcap_ == nullptr) return fail(Errc::kIo, fmt::format("interface {}: cannot open: {}", name, err));
  pcap_t* p = li->pcap_;
  pcap_set_snaplen(p, static_cast<int>(options.snaplen));
  pcap_set_promisc(p, options.promisc ? 1 : 0);
  pcap_set_timeout(p, options.block_timeout_ms);
  pcap_set_buffer_size(p, static_cast<int>(std::min<std::uint64_t>(options.buffer_bytes, INT_MAX)));
  pcap_set_immediate_mode(p, 0);
  if (pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) != 0) {
    return fail(Errc::kUnsupported, fmt::format("interface {}: libpcap cannot give nanosecond timestamps here", name));
  }
  // Time stamps: the adapter's clock (synced to the system clock) where the NIC offers it.
  const std::vector<int> offered = tstamp_types(p);
  int want = -1;
  if (options.tstamp == "auto") {
    if (std::find(offered.begin(), offered.end(), PCAP_TSTAMP_ADAPTER) != offered.end()) want = PCAP_TSTAMP_ADAPTER;
  } else {
    want = pcap_tstamp_type_name_to_val(options.tstamp.c_str());
    if (want < 0) {
      return fail(Errc::kInvalidArgument, fmt::format("--tstamp {}: not a timestamp type (auto, host, adapter, "
                                                      "adapter_unsynced)",
                                                      options.tstamp));
    }
    const bool listed = std::find(offered.begin(), offered.end(), want) != offered.end();
    if (!listed && !(want == PCAP_TSTAMP_HOST && offered.empty())) {
      std::string names;
      for (int t : offered) names += (names.empty() ? "" : ", ") + tstamp_name(t);
      return fail(Errc::kUnsupported, fmt::format("interface {}: timestamp type '{}' is not offered (it offers: {})",
                                                  name, options.tstamp, names.empty() ? "host only" : names));
    }
  }
  if (want >= 0 && pcap_set_tstamp_type(p, want) != 0) {
    return fail(Errc::kUnsupported,
                fmt::format("interface {}: cannot use timestamp type '{}'", name, tstamp_name(want)));
  }
  li->tstamp_ = want >= 0 ? tstamp_name(want) : "host";
  const int rc = pcap_activate(p);
  if (rc < 0) {
    std::string detail = pcap_geterr(p);
    if (detail.empty()) detail = pcap_statustostr(rc);
    std::string hint;
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
      hint = " (run as root, or give the program CAP_NET_RAW and CAP_NET_ADMIN)";
    } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
      hint = " (see `ip link` for the interfaces of this host)";
    } else if (rc == PCAP_ERROR_IFACE_NOT_UP) {
      hint = " (bring it up with `ip link set " + name + " up`)";
    }
    return fail(Errc::kIo, fmt::format("interface {}: cannot capture: {}{}", name, detail, hint));
  }
  li->linktype_ = pcap_datalink(p);
  if (pcap_setnonblock(p, 1, err) != 0) {
    return fail(Errc::kIo, fmt::format("interface {}: cannot read without blocking: {}", name, err));
  }
  if (pcap_get_selectable_fd(p) < 0)
    return fail(Errc::kUnsupported, fmt::format("interface {}: no descriptor to wait on", name));
  li->stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (li->stop_fd_ < 0) return fail(Errc::kIo, fmt::format("eventfd: {}", std::strerror(errno)));
  if (!options.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(p, &prog, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return fail(Errc::kInvalidArgument,
                  fmt::format("interface {}: --filter \"{}\": {}", name, options.filter, pcap_geterr(p)));
    }
    const int set = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (set != 0) return fail(Errc::kIo, fmt::format("interface {}: cannot set the filter: {}", name, pcap_geterr(p)));
  }
  return li;
}

LiveInterface::~LiveInterface() {
  if (pcap_ != nullptr) pcap_close(pcap_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void LiveInterface::on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  reinterpret_cast<LiveInterface*>(user)->add(h, bytes);
}

void LiveInterface::add(const pcap_pkthdr* h, const u_char* bytes) {
  const std::size_t rec = 16 + std::size_t{h->caplen};
  if (chunk_ != nullptr && chunk_->size + rec > chunk_->capacity) hand_over();
  if (chunk_ == nullptr) {
    chunk_ = pool_->try_acquire();
    if (chunk_ == nullptr) {
      overflow_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::uint8_t* out = chunk_->data.get() + chunk_->size;
  // With nanosecond precision libpcap puts nanoseconds in tv_usec.
  store_le<std::uint32_t>(out, static_cast<std::uint32_t>(h->ts.tv_sec));
  store_le<std::uint32_t>(out + 4, static_cast<std::uint32_t>(h->ts.tv_usec));
  store_le<std::uint32_t>(out + 8, h->caplen);
  store_le<std::uint32_t>(out + 12, h->len);
  std::memcpy(out + 16, bytes, h->caplen);
  if (chunk_->packets == 0) chunk_->started_mono = mono_ns();
  chunk_->size += rec;
  ++chunk_->packets;
  packets_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(rec, std::memory_order_relaxed);
  const std::uint64_t ts = std::uint64_t(h->ts.tv_sec) * 1'000'000'000u + std::uint64_t(h->ts.tv_usec);
  last_ts_ = std::max(last_ts_, ts);
}

void LiveInterface::hand_over() {
  if (chunk_ == nullptr) return;
  if (chunk_->packets == 0) return;
  queue_->push(chunk_);
  chunk_ = nullptr;
}

void LiveInterface::read_stats() {
  pcap_stat ps{};
  if (pcap_stats(pcap_, &ps) == 0) {
    kernel_drops_.store(ps.ps_drop, std::memory_order_relaxed);
    if_drops_.store(ps.ps_ifdrop, std::memory_order_relaxed);
  }
}

void LiveInterface::run(store::ChunkPool& pool, store::ChunkQueue& queue) {
  pool_ = &pool;
  queue_ = &queue;
  // A packet can sit in a kernel block until the block is retired (the block timeout); allow
  // as much again for packets timestamped on another CPU slightly out of order.
  const std::uint64_t slack = 2 * std::uint64_t(options_.block_timeout_ms) * 1'000'000u;
  const int pcap_fd = pcap_get_selectable_fd(pcap_);
  std::int64_t last_stats = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    const auto t0 = static_cast<std::uint64_t>(wall_ns());
    last_ts_ = 0;
    // Non-blocking: one retired block per call, 0 when none is ready. (With TPACKET_V3 a
    // blocking call waits for a packet however long the link is quiet.)
    const int n = pcap_dispatch(pcap_, -1, &LiveInterface::on_packet, reinterpret_cast<u_char*>(this));
    if (n < 0 && n != PCAP_ERROR_BREAK) {
      error_ = fmt::format("interface {}: capture failed: {}", options_.name, pcap_geterr(pcap_));
      has_error_.store(true, std::memory_order_release);
      break;
    }
    // n == 0: every retired block has been read, so every packet stamped before the call
    // minus the block timeout has been seen. Otherwise the newest packet seen says how far.
    std::uint64_t below = 0;
    const std::int64_t now = mono_ns();
    if (n <= 0) {
      below = t0 > slack ? t0 - slack : 0;
      hand_over();
    } else {
      below = last_ts_ > slack ? last_ts_ - slack : 0;
      if (chunk_ != nullptr && chunk_->packets != 0 && now - chunk_->started_mono >= kHandOverNs) hand_over();
    }
    if ((chunk_ == nullptr || chunk_->packets == 0) && below > delivered_below_.load(std::memory_order_relaxed)) {
      delivered_below_.store(below, std::memory_order_release);
    }
    if (now - last_stats >= kStatsNs) {
      read_stats();
      last_stats = now;
    }
    if (n <= 0) {
      pollfd fds[2] = {{pcap_fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      ::poll(fds, 2, options_.block_timeout_ms);
    }
  }
  hand_over();
  read_stats();
}

void LiveInterface::stop() {
  stop_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(stop_fd_, &one, sizeof one);
}

InterfaceCounters LiveInterface::counters() const {
  InterfaceCounters c;
  c.packets = packets_.load(std::memory_order_relaxed);
  c.bytes = bytes_.load(std::memory_order_relaxed);
  c.kernel_drops = kernel_drops_.load(std::memory_order_relaxed);
  c.if_drops = if_drops_.load(std::memory_order_relaxed);
  c.overflow = overflow_.load(std::memory_order_relaxed);
  return c;
}

std::string LiveInterface::error() const {
  return has_error_.load(std::memory_order_acquire) ? error_ : std::string();
}

}  // namespace pushcap::live
