#include "push/packet_path.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "capture/parse_util.h"

namespace pushcap::test {
namespace {

std::unique_ptr<Parsed> real(const std::string& name) {
  std::ifstream in(std::string(PUSHCAP_TEST_DATA) + "/real/" + name, std::ios::binary);
  Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_all(b);
}

struct Tally {
  int write = 0, filtered = 0, drop = 0, changed = 0;
  std::vector<std::uint32_t> linktypes;
  std::vector<std::uint32_t> caplens;
};

Tally run(const config::TargetConfig& cfg, const Parsed& p) {
  push::TargetLog log("t", {});
  push::PacketPath path(cfg, log);
  Tally t;
  for (const auto& r : p.batch.records) {
    push::PathFrame frame;
    push::DropReason reason{};
    switch (path.apply(p.batch, r, frame, reason)) {
      case push::Verdict::kWrite:
        ++t.write;
        t.changed += frame.changed ? 1 : 0;
        t.linktypes.push_back(frame.output->format.linktype);
        t.caplens.push_back(frame.caplen);
        break;
      case push::Verdict::kFiltered:
        ++t.filtered;
        break;
      case push::Verdict::kDrop:
        ++t.drop;
        break;
    }
  }
  return t;
}

// zk_vxlan.pcap: 10 Ethernet/IPv4/UDP 4789 VXLAN packets; inside, as tcpdump prints them,
// 2 ARP and 8 ICMP echo frames.
TEST(PacketPath, BpfSeesTheOuterPacketWithoutDecapAndTheInnerFrameWithIt) {
  auto p = real("zk_vxlan.pcap");
  ASSERT_EQ(p->batch.records.size(), 10u);
  config::TargetConfig outer;
  outer.filter_bpf = "icmp";
  auto o = run(outer, *p);
  EXPECT_EQ(o.write, 0);
  EXPECT_EQ(o.filtered, 10);

  config::TargetConfig inner = outer;
  inner.decap.decap = true;
  auto i = run(inner, *p);
  EXPECT_EQ(i.write, 8);
  EXPECT_EQ(i.filtered, 2);
  EXPECT_EQ(i.changed, 8) << "de-encapsulated frames are rebuilt";
  for (std::uint32_t lt : i.linktypes) EXPECT_EQ(lt, 1u);
  // The inner frame is the outer one less its Ethernet, IPv4, UDP and VXLAN headers (50 bytes).
  std::size_t k = 0;
  for (const auto& r : p->batch.records) {
    if (k < i.caplens.size() && r.caplen - 50 == i.caplens[k]) ++k;
  }
  EXPECT_EQ(k, i.caplens.size());
}

TEST(PacketPath, NoFilterWritesEveryPacketUnchanged) {
  auto p = real("zk_vxlan.pcap");
  auto t = run(config::TargetConfig{}, *p);
  EXPECT_EQ(t.write, 10);
  EXPECT_EQ(t.changed, 0);
}

TEST(PacketPath, FilterFrameSelectsByTheTagsDecapFound) {
  auto p = real("zk_vxlan.pcap");
  config::TargetConfig cfg;
  cfg.filter_frame = "vxlan.vni==123";
  cfg.decap.decode_tags = true;
  auto hit = run(cfg, *p);
  EXPECT_EQ(hit.write, 10);
  cfg.filter_frame = "vxlan.vni==124,7";
  auto miss = run(cfg, *p);
  EXPECT_EQ(miss.filtered, 10);
}

TEST(PacketPath, ATimestampClassicPcapCannotHoldIsDroppedWithItsReason) {
  Bytes b = concat({ng_section(), ng_interface(1, 0, 9), ng_packet(0, 5'000'000'000ull, 60),
                    ng_packet(0, (std::uint64_t{1} << 32) * 1'000'000'000ull, 60)});
  auto p = parse_all(b);
  push::TargetLog log("t", {});
  push::PacketPath path(config::TargetConfig{}, log);
  push::PathFrame frame;
  push::DropReason reason{};
  EXPECT_EQ(path.apply(p->batch, p->batch.records[0], frame, reason), push::Verdict::kWrite);
  EXPECT_EQ(path.apply(p->batch, p->batch.records[1], frame, reason), push::Verdict::kDrop);
  EXPECT_EQ(reason, push::DropReason::kTsUnrepresentable);
}

}  // namespace
}  // namespace pushcap::test
