// Micro-benchmarks of the hot path, per packet: indexing a batch, BPF, the pcap writer.
// Run: build/release/bench/pushcap_micro_bench

#include <benchmark/benchmark.h>

#include <fcntl.h>

#include <cstring>
#include <random>
#include <vector>

#include "capture/capture_parser.h"
#include "capture/pcap_parser.h"
#include "core/endian.h"
#include "core/fd.h"
#include "decap/frame_pipeline.h"
#include "filter/bpf_program.h"
#include "split/pcap_writer.h"

namespace {

using namespace pushcap;

// A 4 MiB batch of 64-300 byte Ethernet/IPv4/UDP records, as the benchmark capture has.
std::vector<std::uint8_t> make_capture(std::size_t bytes) {
  std::vector<std::uint8_t> b(24);
  store_le<std::uint32_t>(b.data(), 0xa1b2c3d4);
  store_le<std::uint16_t>(b.data() + 4, 2);
  store_le<std::uint16_t>(b.data() + 6, 4);
  store_le<std::uint32_t>(b.data() + 16, 65535);
  store_le<std::uint32_t>(b.data() + 20, 1);
  std::mt19937 rng(1);  // 32-bit results
  auto next = [&rng]() { return static_cast<std::uint32_t>(rng()); };
  std::uint32_t sec = 1700000000;
  while (b.size() < bytes) {
    std::uint32_t len = 64 + next() % 237;
    std::size_t at = b.size();
    b.resize(at + 16 + len);
    std::uint8_t* h = b.data() + at;
    store_le<std::uint32_t>(h, sec);
    store_le<std::uint32_t>(h + 4, next() % 1000000);
    store_le<std::uint32_t>(h + 8, len);
    store_le<std::uint32_t>(h + 12, len);
    std::uint8_t* f = h + 16;
    std::memset(f, 0, len);
    f[12] = 0x08;
    f[14] = 0x45;
    f[23] = (next() % 5 == 0) ? 6 : 17;  // protocol
    f[30] = 239;
    f[36] = 0x75;
    f[37] = static_cast<std::uint8_t>(0x31 + next() % 16);  // dst port 30001..30016
  }
  return b;
}

struct Indexed {
  capture::Batch batch;
  capture::FormatRegistry registry;
};

std::unique_ptr<Indexed> index_capture(const std::vector<std::uint8_t>& bytes) {
  auto ix = std::make_unique<Indexed>();
  ix->batch.reserve(bytes.size(), 0);
  std::memcpy(ix->batch.data.get(), bytes.data(), bytes.size());
  capture::PcapParser parser(ix->registry);
  parser.parse(ix->batch, 0, bytes.size(), true);
  ix->batch.formats = ix->registry.snapshot();
  return ix;
}

void BM_IndexPcapBatch(benchmark::State& state) {
  auto bytes = make_capture(4 << 20);
  capture::Batch batch;
  batch.reserve(bytes.size(), 0);
  std::size_t records = 0;
  for (auto _ : state) {
    std::memcpy(batch.data.get(), bytes.data(), bytes.size());
    batch.records.clear();
    capture::FormatRegistry registry;
    capture::PcapParser parser(registry);
    parser.parse(batch, 0, bytes.size(), true);
    records += batch.records.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_IndexPcapBatch);

void BM_BpfMatch(benchmark::State& state, const char* expression) {
  auto ix = index_capture(make_capture(4 << 20));
  auto prog = filter::BpfProgram::compile(expression, 1, 65535);
  std::size_t matched = 0;
  for (auto _ : state) {
    for (const auto& r : ix->batch.records) matched += prog->match(ix->batch.packet(r), r.caplen, r.wirelen);
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ix->batch.records.size()));
}
BENCHMARK_CAPTURE(BM_BpfMatch, udp_dst_port, "udp and dst port 30001");
BENCHMARK_CAPTURE(BM_BpfMatch, net_and_tcp, "net 192.168.1.0/24 and tcp");

void BM_WriterCopyRuns(benchmark::State& state) {
  auto ix = index_capture(make_capture(4 << 20));
  auto fd = open_file("/dev/null", O_WRONLY);
  split::PcapWriter w;
  capture::LinkFormat fmt{1, 65535, capture::TsResolution::kMicro, false, {}};
  const auto every = static_cast<std::size_t>(state.range(0));
  FdSink sink(fd->get(), "null");
  for (auto _ : state) {
    w.start(sink, fmt);
    std::size_t i = 0;
    for (const auto& r : ix->batch.records) {
      if (i++ % every == 0) (void)w.add(ix->batch, r);
    }
    (void)w.flush();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ix->batch.records.size()));
}
BENCHMARK(BM_WriterCopyRuns)->Arg(1)->Arg(2)->Arg(16);

}  // namespace

// ---- decap: one step (or nesting) per benchmark, ns per packet ----

std::vector<std::uint8_t> bytes_of(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<std::uint8_t> kMacs(12, 0x02);
std::vector<std::uint8_t> be16v(std::uint16_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}
std::vector<std::uint8_t> ipv4_hdr(std::uint8_t proto, std::size_t payload) {
  const auto total = static_cast<std::uint16_t>(20 + payload);
  return {0x45,
          0,
          static_cast<std::uint8_t>(total >> 8),
          static_cast<std::uint8_t>(total),
          0,
          0,
          0x40,
          0,
          64,
          proto,
          0,
          0,
          10,
          0,
          0,
          1,
          10,
          0,
          0,
          2};
}
// The inner packet: IPv4/UDP to port 30001 with 100 bytes of payload.
std::vector<std::uint8_t> inner_ip() {
  std::vector<std::uint8_t> udp = {0x9c, 0x40, 0x75, 0x31, 0, 108, 0, 0};
  udp.resize(108, 0x55);
  return bytes_of({ipv4_hdr(17, udp.size()), udp});
}
std::vector<std::uint8_t> inner_frame() {
  return bytes_of({kMacs, be16v(0x0800), inner_ip()});
}
std::vector<std::uint8_t> udp_to(std::uint16_t port, const std::vector<std::uint8_t>& payload) {
  const auto len = static_cast<std::uint16_t>(8 + payload.size());
  return bytes_of({{0xc0, 0x00}, be16v(port), be16v(len), {0, 0}, payload});
}

std::vector<std::uint8_t> decap_packet(int kind) {
  switch (kind) {
    case 0:  // plain
      return inner_frame();
    case 1:  // 802.1Q
      return bytes_of({kMacs, be16v(0x8100), {0, 100}, be16v(0x0800), inner_ip()});
    case 2:  // QinQ
      return bytes_of({kMacs, be16v(0x88a8), {0, 5}, be16v(0x8100), {0, 100}, be16v(0x0800), inner_ip()});
    case 3:  // MPLS, two labels
      return bytes_of({kMacs, be16v(0x8847), {0, 1, 0, 64}, {0, 2, 1, 64}, inner_ip()});
    case 4: {  // GRE -> IP
      auto gre = bytes_of({{0, 0}, be16v(0x0800), inner_ip()});
      return bytes_of({kMacs, be16v(0x0800), ipv4_hdr(47, gre.size()), gre});
    }
    case 5: {  // ERSPAN II
      auto gre =
          bytes_of({{0x10, 0}, be16v(0x88be), {0, 0, 0, 1}, {0x10, 0x01, 0x00, 0x05, 0, 0, 0, 0}, inner_frame()});
      return bytes_of({kMacs, be16v(0x0800), ipv4_hdr(47, gre.size()), gre});
    }
    case 6: {  // VXLAN
      auto udp = udp_to(4789, bytes_of({{0x08, 0, 0, 0, 0, 0x13, 0x88, 0}, inner_frame()}));
      return bytes_of({kMacs, be16v(0x0800), ipv4_hdr(17, udp.size()), udp});
    }
    default: {  // GENEVE with 8 bytes of options
      auto udp =
          udp_to(6081, bytes_of({{0x02, 0, 0x65, 0x58, 0, 0x10, 0x01, 0}, {1, 2, 3, 1, 0, 0, 0, 0}, inner_frame()}));
      return bytes_of({kMacs, be16v(0x0800), ipv4_hdr(17, udp.size()), udp});
    }
  }
}

void BM_Decap(benchmark::State& state) {
  const auto packet = decap_packet(static_cast<int>(state.range(0)));
  decap::DecapOptions o;
  o.decap = true;
  decap::FramePipeline pipeline(o);
  decap::FrameTags tags;
  const auto len = static_cast<std::uint32_t>(packet.size());
  for (auto _ : state) {
    tags.clear();
    auto f = pipeline.apply(packet.data(), len, len, 0, 1, tags);
    benchmark::DoNotOptimize(f);
  }
  static const char* const kNames[] = {"plain", "vlan", "qinq", "mpls2", "gre_ip", "erspan2", "vxlan", "geneve"};
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_Decap)->DenseRange(0, 7);

BENCHMARK_MAIN();
