// Each decap step on real packets from tests/data/real (offsets as tshark dissects them), cut at
// every length inside its headers, and with odd values written over the real bytes.

#include <gtest/gtest.h>

#include "decap/decap_chain.h"
#include "decap_util.h"

namespace pushcap::decap {
namespace {

using testing::frame_of;
using testing::read_real;
using testing::run;
using testing::tag_values;

struct Case {
  const char* file;
  int packet;           // 0-based
  std::size_t mac;      // where the output's addresses come from
  std::uint16_t type;   // the output's EtherType
  std::size_t payload;  // where the output's payload starts in the input
  std::size_t headers;  // bytes of headers decap must read to reach the payload (the cut point)
  const char* layers;   // what it exercises
  std::vector<std::uint16_t> vxlan_ports = {};
};

// Offsets from `tshark -T pdml` of each packet (see the file's README for provenance).
const Case kCases[] = {
    {"zk_icmp_dot1q.pcap", 0, 0, 0x0806, 18, 18, "802.1Q"},
    {"zk_q-in-q.pcap", 0, 0, 0x0800, 22, 22, "two 802.1Q tags"},
    {"td_802.1ad_QinQ.pcap", 0, 0, 0x0806, 22, 22, "802.1ad + 802.1Q"},
    {"zk_mpls-in-vlan.pcap", 1, 0, 0x0800, 22, 42, "802.1Q + MPLS -> IPv4"},
    {"ppp_MplsPackets.pcap", 0, 0, 0x0800, 26, 46, "QinQ + MPLS -> IPv4"},
    {"zk_gre-sample.pcap", 0, 0, 0x0800, 38, 39, "GRE -> IPv4"},
    {"zk_gre-within-gre.pcap", 0, 0, 0x0800, 62, 63, "GRE in GRE"},
    {"td_erspan-type-i-4.pcap", 0, 38, 0x0800, 52, 52, "ERSPAN type I"},
    {"zk_erspanIII.pcap", 0, 54, 0x0800, 68, 68, "ERSPAN type III"},
    {"zk_gre-erspan3-dot1q.pcap", 0, 58, 0x0800, 76, 76, "ERSPAN III + platform subheader, inner 802.1Q"},
    {"zk_vxlan.pcap", 0, 50, 0x0806, 64, 64, "VXLAN"},
    {"td_vxlan_port_8472.pcap", 0, 50, 0x0800, 64, 64, "VXLAN on port 8472", {8472}},
    {"zk_geneve-many-options.pcap", 0, 126, 0x0800, 140, 140, "GENEVE with options"},
    {"zk_geneve-ipv6.pcap", 0, 0, 0x86dd, 50, 51, "GENEVE -> IPv6"},
    {"zk_4in4.pcap", 0, 0, 0x0800, 34, 35, "IPv4 in IPv4"},
    {"zk_6in4.pcap", 0, 0, 0x86dd, 34, 35, "IPv6 in IPv4"},
    {"zk_vntag.pcap", 0, 0, 0x0800, 24, 24, "VN-Tag + 802.1Q"},
    {"td_arista_ether.pcap", 0, 0, 0x0800, 28, 28, "Arista 0xD28B 64-bit"},
    {"zk_gre-over-udp-4754.pcap", 0, 0, 0x0800, 46, 47, "GRE in UDP"},
    {"td_mpls-over-udp.pcap", 0, 0, 0x0800, 46, 66, "MPLS in UDP"},
    {"zk_pppoe-over-qinq.pcap", 0, 0, 0x0800, 30, 30, "QinQ + PPPoE -> IPv4"},
};

DecapOptions options_for(const Case& c) {
  DecapOptions o;
  o.decap = true;
  o.vxlan_ports = c.vxlan_ports;
  return o;
}

TEST(DecapChain, RealPacketsComeOutAsTheirInnerFrame) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.file) + ": " + c.layers);
    auto cap = read_real(c.file);
    ASSERT_GT(cap.packets.size(), static_cast<std::size_t>(c.packet));
    const auto& p = cap.packets[static_cast<std::size_t>(c.packet)];
    auto r = run(p, cap.linktype, options_for(c));
    EXPECT_EQ(r.problem, "");
    EXPECT_TRUE(r.frame.changed);
    EXPECT_EQ(r.frame.linktype, 1u);
    // Tunnels end where their IP datagram ends; shims keep the frame's end.
    const std::size_t n = std::min(r.bytes.size() - 14, p.size() - c.payload);
    EXPECT_EQ(r.bytes, frame_of(p, c.mac, c.type, c.payload, c.payload + n));
    EXPECT_LE(r.frame.caplen, p.size());
    EXPECT_EQ(r.frame.wirelen, r.frame.caplen);
  }
}

// Bytes decap must see to know the packet holds no further tunnel: the IP protocol field, and
// for UDP the destination port.
std::size_t decided(const std::vector<std::uint8_t>& p, const Case& c) {
  std::size_t n = c.headers;
  if (c.type == 0x0800) {
    const std::size_t ihl = (p[c.payload] & 0x0fu) * 4u;
    n = p[c.payload + 9] == 17 ? c.payload + ihl + 8 : c.payload + 10;
  }
  if (c.type == 0x86dd) n = p[c.payload + 6] == 17 ? c.payload + 48 : c.payload + 40;
  return std::max(n, c.headers);
}

TEST(DecapChain, EveryTruncationInsideTheHeadersIsCountedOnce) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.file) + ": " + c.layers);
    auto cap = read_real(c.file);
    const auto& p = cap.packets[static_cast<std::size_t>(c.packet)];
    for (std::uint32_t len = 0; len <= p.size(); ++len) {
      SCOPED_TRACE("captured " + std::to_string(len) + " of " + std::to_string(p.size()));
      auto r = run(p, cap.linktype, options_for(c), len);
      EXPECT_LE(r.frame.caplen, len + 14u);
      EXPECT_GE(r.frame.wirelen, r.frame.caplen);
      if (len < decided(p, c)) {
        ASSERT_NE(r.problem.find("_truncated"), std::string::npos) << r.problem;
        if (len >= c.headers) {
          ASSERT_EQ(r.frame.caplen, 14 + len - c.payload) << "the inner frame is out, its payload cut short";
        }
      } else {
        ASSERT_EQ(r.problem, "");
        ASSERT_EQ(r.frame.caplen, 14 + len - std::min<std::uint32_t>(len, static_cast<std::uint32_t>(c.payload)))
            << "the inner frame, cut where the capture was";
        ASSERT_EQ(r.frame.wirelen, 14 + p.size() - c.payload) << "the wire length is the inner frame's";
      }
    }
  }
}

TEST(DecapChain, TagsCarryTheLayersValues) {
  auto vlan = read_real("zk_icmp_dot1q.pcap");
  auto r = run(vlan.packets[0], vlan.linktype);
  EXPECT_EQ(tag_values(r.tags, TagKey::kVlanId), std::vector<std::uint32_t>{123});
  auto qinq = read_real("zk_q-in-q.pcap");
  r = run(qinq.packets[0], qinq.linktype);
  EXPECT_EQ(tag_values(r.tags, TagKey::kVlanId), (std::vector<std::uint32_t>{13, 10}));
  auto mpls = read_real("zk_mpls-in-vlan.pcap");
  r = run(mpls.packets[1], mpls.linktype);
  EXPECT_EQ(tag_values(r.tags, TagKey::kMplsLabel), std::vector<std::uint32_t>{16106});
  auto gen = read_real("zk_geneve-many-options.pcap");
  r = run(gen.packets[0], gen.linktype);
  EXPECT_EQ(tag_values(r.tags, TagKey::kGeneveVni), std::vector<std::uint32_t>{0x0c012e});
  auto e3 = read_real("zk_gre-erspan3-dot1q.pcap");
  r = run(e3.packets[0], e3.linktype);
  EXPECT_EQ(tag_values(r.tags, TagKey::kVlanId), std::vector<std::uint32_t>{10});
  EXPECT_EQ(tag_values(r.tags, TagKey::kErspanSession).size(), 1u);
}

TEST(DecapChain, UnencapsulatedPacketsPassUnchanged) {
  auto cap = read_real("jc_ok.pcap");
  for (const auto& p : cap.packets) {
    auto r = run(p, cap.linktype);
    EXPECT_FALSE(r.frame.changed);
    EXPECT_EQ(r.problem, "");
    EXPECT_EQ(r.bytes, p);
  }
}

TEST(DecapChain, RawIpCapturesBecomeEthernet) {
  auto cap = read_real("td_erspan-type-iii-pb-1.pcap");  // LINKTYPE_RAW: IPv6 / GRE / truncated ERSPAN III
  auto r = run(cap.packets[0], cap.linktype, {}, 0xffffffffu, 0, cap.wirelen[0]);
  EXPECT_EQ(r.problem, "erspan_truncated");
  EXPECT_EQ(r.frame.linktype, 1u);
  std::vector<std::uint8_t> expected(12, 0);
  expected.push_back(0x86);
  expected.push_back(0xdd);
  expected.insert(expected.end(), cap.packets[0].begin(), cap.packets[0].end());
  EXPECT_EQ(r.bytes, expected);
}

TEST(DecapChain, OtherLinkTypesPassAsTheyCameAndAreCounted) {
  auto cap = read_real("ppp_sll.pcap");
  auto r = run(cap.packets[0], cap.linktype);
  EXPECT_FALSE(r.frame.changed);
  EXPECT_EQ(r.frame.linktype, cap.linktype);
  EXPECT_EQ(r.problem, "linktype_unsupported");
}

// Odd values written over real bytes: each is refused by the step that owns it, and the packet
// goes out as far as it decoded cleanly.
struct Odd {
  const char* file;
  int packet;
  std::size_t at;
  std::vector<std::uint8_t> bytes;
  const char* problem;
  std::size_t cut;  // payload offset of the cut that is left (0: the packet as it came)
};

const Odd kOdd[] = {
    {"zk_vxlan.pcap", 0, 42, {0x00}, "vxlan_invalid", 14},                     // I flag clear
    {"zk_vxlan.pcap", 0, 38, {0x00, 0x07}, "udp_invalid", 14},                 // UDP length 7
    {"zk_vxlan.pcap", 0, 16, {0x0f, 0xff}, "ipv4_invalid", 14},                // total length past the frame
    {"zk_vxlan.pcap", 0, 14, {0x44}, "ipv4_invalid", 14},                      // IHL 4
    {"zk_vxlan.pcap", 0, 20, {0x20, 0x00}, "", 14},                            // UDP first fragment: passes
    {"zk_gre-sample.pcap", 0, 34, {0x00, 0x01}, "gre_unsupported", 14},        // GRE version 1
    {"zk_gre-sample.pcap", 0, 34, {0x40, 0x00}, "gre_unsupported", 14},        // routing present
    {"zk_gre-sample.pcap", 0, 36, {0x12, 0x34}, "gre_unsupported", 14},        // unknown protocol
    {"zk_gre-sample.pcap", 0, 38, {0x75}, "gre_invalid", 14},                  // inner IP version 7
    {"zk_gre-sample.pcap", 0, 20, {0x00, 0x10}, "ipv4_fragmented", 14},        // GRE in a fragment
    {"zk_erspanIII.pcap", 0, 42, {0x10}, "erspan_invalid", 14},                // version 1 under 0x22EB
    {"zk_erspanIII.pcap", 0, 52, {0x1c, 0x00}, "erspan_unsupported", 14},      // frame type 7
    {"zk_geneve-many-options.pcap", 0, 42, {0x40}, "geneve_unsupported", 14},  // version 1
    {"zk_geneve-many-options.pcap", 0, 42, {0x3f}, "geneve_invalid", 14},      // options past the datagram
    {"zk_geneve-many-options.pcap", 0, 44, {0x88, 0x47}, "geneve_unsupported", 14},
    {"td_arista_ether.pcap", 0, 14, {0x00, 0x02}, "arista_unsupported", 14},          // sub-type 2
    {"td_arista_ether.pcap", 0, 16, {0x00, 0x30}, "arista_unsupported", 14},          // format 3
    {"td_arista_ether.pcap", 0, 22, {0x3b, 0x9a, 0xca, 0x00}, "arista_invalid", 14},  // 10^9 ns
    {"zk_pppoe-over-qinq.pcap", 0, 22, {0x12}, "pppoe_invalid", 22},                  // version 1, type 2
    {"zk_pppoe-over-qinq.pcap", 0, 26, {0xff, 0xff}, "pppoe_invalid", 22},            // length past the frame
    {"zk_pppoe-over-qinq.pcap", 0, 28, {0xc0, 0x21}, "", 22},                         // LCP: control, not a tunnel
    {"zk_mpls-in-vlan.pcap", 1, 22, {0x55}, "mpls_unsupported", 18},                  // payload nibble 5
    {"zk_6in4.pcap", 0, 38, {0x7f, 0xff}, "ipv6_invalid", 34},  // IPv6 payload length past the datagram
};

TEST(DecapChain, OddValuesAreRefusedByTheirStep) {
  for (const Odd& o : kOdd) {
    SCOPED_TRACE(std::string(o.file) + " @" + std::to_string(o.at) + " -> " + o.problem);
    auto cap = read_real(o.file);
    auto p = cap.packets[static_cast<std::size_t>(o.packet)];
    std::copy(o.bytes.begin(), o.bytes.end(), p.begin() + static_cast<long>(o.at));
    auto r = run(p, cap.linktype);
    EXPECT_EQ(r.problem, o.problem);
    if (o.cut <= 14) {
      EXPECT_EQ(r.bytes, p) << "nothing removed";
    } else {
      EXPECT_EQ(std::vector<std::uint8_t>(r.bytes.begin() + 14, r.bytes.end()),
                std::vector<std::uint8_t>(p.begin() + static_cast<long>(o.cut), p.end()));
    }
  }
}

TEST(DecapChain, NestingStopsAtAFixedDepth) {
  // 40 802.1Q tags in front of an IPv4 packet: the first kMaxDepth are decoded, then it stops.
  std::vector<std::uint8_t> p(12, 0x02);
  for (int i = 0; i < 40; ++i) p.insert(p.end(), {0x81, 0x00, 0x00, static_cast<std::uint8_t>(i)});
  p.insert(p.end(), {0x08, 0x00});
  p.insert(p.end(), 20, 0x45);
  auto r = run(p, 1);
  EXPECT_EQ(r.problem, "vlan_too_deep");
  EXPECT_EQ(r.tags.count, DecapChain::kMaxDepth);
  // Seventeen MPLS labels: too deep for one stack.
  std::vector<std::uint8_t> m(12, 0x02);
  m.insert(m.end(), {0x88, 0x47});
  for (int i = 0; i < 17; ++i) m.insert(m.end(), {0x00, 0x01, 0x00, 0x40});
  r = run(m, 1);
  EXPECT_EQ(r.problem, "mpls_too_deep");
}

TEST(DecapChain, AristaHeaderTimestampReplacesTheTime) {
  auto cap = read_real("td_arista_ether.pcap");
  DecapOptions o;
  o.decap = true;
  o.hw_timestamp = true;
  // tcpdump: "Timescale TAI (0), Format 64-bit, Timestamp 2019-05-29 20:36:39.944724424": 0x5ceeed57 s.
  auto r = run(cap.packets[0], cap.linktype, o, 0xffffffffu, cap.ts_ns[0]);
  EXPECT_EQ(r.frame.ts_ns, (0x5ceeed57ull - FramePipeline::kTaiOffsetSec) * 1'000'000'000u + 944724424u);
  // The 48-bit form keeps 16 bits of seconds: rebuilt from the capture time.
  auto p = cap.packets[0];
  const std::uint8_t h48[] = {0x00, 0x01, 0x01, 0x20, 0xed, 0x57, 0x38, 0x4f, 0x59, 0xc8, 0x08, 0x00};
  p.erase(p.begin() + 14, p.begin() + 28);
  p.insert(p.begin() + 14, std::begin(h48), std::end(h48));
  r = run(p, cap.linktype, o, 0xffffffffu, cap.ts_ns[0]);
  EXPECT_EQ(r.problem, "");
  EXPECT_EQ(r.frame.ts_ns, 0x5ceeed57ull * 1'000'000'000u + 944724424u) << "UTC: no TAI offset";
  EXPECT_EQ(r.bytes, frame_of(p, 0, 0x0800, 26));
}

TEST(DecapChain, ErspanIIITimestampIsUsedWhenAbsolute) {
  DecapOptions o;
  o.decap = true;
  o.hw_timestamp = true;
  auto cap = read_real("zk_gre-erspan3-dot1q.pcap");  // granularity 3, platform 3: 64-bit ns
  auto r = run(cap.packets[0], cap.linktype, o, 0xffffffffu, cap.ts_ns[0]);
  EXPECT_EQ(r.frame.ts_ns, 368526056ull * 4294967296ull + 1884323413ull);
  auto rel = read_real("zk_erspanIII.pcap");  // granularity 0, no subheader: relative
  r = run(rel.packets[0], rel.linktype, o, 0xffffffffu, rel.ts_ns[0]);
  EXPECT_EQ(r.frame.ts_ns, rel.ts_ns[0]);
  EXPECT_EQ(r.problem, "timestamp_missing");
}

TEST(DecapChain, WidenSeconds16PicksTheNearestMatch) {
  EXPECT_EQ(widen_seconds16(0x1234, 0x5ceeed57), 0x5cee1234u + 0x10000u);  // nearest is in the next 2^16 block
  EXPECT_EQ(widen_seconds16(0xed57, 0x5ceeed57), 0x5ceeed57u);
  EXPECT_EQ(widen_seconds16(0xed50, 0x5ceeed57), 0x5ceeed50u);
  EXPECT_EQ(widen_seconds16(0x0002, 0x5ceefff0), 0x5cef0002u);  // across a wrap of the low bits
  EXPECT_EQ(widen_seconds16(0xfff0, 0x5cef0002), 0x5ceefff0u);
}

}  // namespace
}  // namespace pushcap::decap
