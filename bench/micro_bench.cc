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
  for (auto _ : state) {
    w.start(fd->get(), fmt, "null");
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

BENCHMARK_MAIN();
