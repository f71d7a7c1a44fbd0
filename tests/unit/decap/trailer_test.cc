// Vendor trailers appended to a real frame, as the switches write them (layouts in each reader).

#include <gtest/gtest.h>

#include "decap/arista7150_clock.h"
#include "decap_util.h"

namespace pushcap::decap {
namespace {

using testing::read_real;
using testing::run;
using testing::tag_values;

constexpr std::uint64_t kSec = 1528035062;  // jc_ok.pcap's time

void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
}

std::vector<std::uint8_t> frame() {
  return read_real("jc_ok.pcap").packets[0];
}

std::vector<std::uint8_t> metamako(std::uint32_t sec, std::uint32_t ns, std::uint8_t flags, bool tlv, bool fcs) {
  auto p = frame();
  put32(p, 0xdeadbeef);  // original FCS
  if (tlv) {
    put32(p, 0x00112233);         // one data word of ...
    put32(p, (1u << 6) | 0x20u);  // ... a tag-0 TLV with one word, marked last
  }
  put32(p, sec);
  put32(p, ns);
  p.push_back(flags);
  p.push_back(0x01);  // device 0x0102
  p.push_back(0x02);
  p.push_back(7);  // port
  if (fcs) put32(p, 0x12345678);
  return p;
}

DecapOptions trailer_options(TrailerKind kind, bool fcs = false) {
  DecapOptions o;
  o.trailer = kind;
  o.trailer_fcs = fcs;
  o.hw_timestamp = true;
  return o;
}

TEST(MetamakoTrailer, IsRemovedAndGivesTimeAndPort) {
  const std::uint64_t cap = kSec * 1'000'000'000u;
  for (bool tlv : {false, true}) {
    for (bool fcs : {false, true}) {
      SCOPED_TRACE(std::string(tlv ? "with" : "without") + " TLV, " + (fcs ? "with" : "without") + " FCS");
      auto p = metamako(static_cast<std::uint32_t>(kSec), 123456789, tlv ? 0x03 : 0x01, tlv, fcs);
      auto r = run(p, 1, trailer_options(TrailerKind::kA7130, fcs), 0xffffffffu, cap);
      EXPECT_EQ(r.problem, "");
      EXPECT_EQ(r.bytes, frame());
      EXPECT_EQ(r.frame.wirelen, frame().size());
      EXPECT_EQ(r.frame.ts_ns, kSec * 1'000'000'000u + 123456789u);
      EXPECT_EQ(tag_values(r.tags, TagKey::kA7130SrcDevice), std::vector<std::uint32_t>{0x0102});
      EXPECT_EQ(tag_values(r.tags, TagKey::kA7130SrcPort), std::vector<std::uint32_t>{7});
    }
  }
}

TEST(MetamakoTrailer, ImplausibleOrUncapturedTrailersStay) {
  const std::uint64_t cap = kSec * 1'000'000'000u;
  auto bad_ns = metamako(static_cast<std::uint32_t>(kSec), 1'000'000'000u, 0x01, false, false);
  auto r = run(bad_ns, 1, trailer_options(TrailerKind::kA7130), 0xffffffffu, cap);
  EXPECT_EQ(r.problem, "several") << "trailer_missing and timestamp_missing";
  EXPECT_EQ(r.counters.problems[static_cast<std::size_t>(Layer::kTrailer) * kProblemCount +
                                static_cast<std::size_t>(Problem::kMissing)],
            1u);
  EXPECT_EQ(r.bytes, bad_ns);
  EXPECT_EQ(r.frame.ts_ns, cap);
  auto far = metamako(static_cast<std::uint32_t>(kSec + 40 * 86400), 5, 0x01, false, false);
  r = run(far, 1, trailer_options(TrailerKind::kA7130), 0xffffffffu, cap);
  EXPECT_EQ(r.bytes, far) << "40 days from the capture time: not a trailer";
  auto ok = metamako(static_cast<std::uint32_t>(kSec), 5, 0x01, false, false);
  r = run(ok, 1, trailer_options(TrailerKind::kA7130), static_cast<std::uint32_t>(ok.size() - 1), cap);
  EXPECT_EQ(r.counters.problems[static_cast<std::size_t>(Layer::kTrailer) * kProblemCount +
                                static_cast<std::size_t>(Problem::kTruncated)],
            1u);
  for (std::uint32_t len = 0; len < 40; ++len) run(ok, 1, trailer_options(TrailerKind::kA7130), len, cap);
  std::vector<std::uint8_t> tiny(20, 0);
  r = run(tiny, 1, trailer_options(TrailerKind::kA7130), 0xffffffffu, cap);
  EXPECT_EQ(r.bytes, tiny);
}

TEST(ExablazeTrailer, IsRemovedAndGivesTimeAndPort) {
  const std::uint64_t cap = kSec * 1'000'000'000u;
  for (bool fcs : {false, true}) {
    auto p = frame();
    put32(p, 0xdeadbeef);  // original FCS
    p.push_back(3);        // device
    p.push_back(9);        // port
    put32(p, static_cast<std::uint32_t>(kSec));
    const std::uint8_t frac[] = {0x80, 0x00, 0x00, 0x00, 0x01};  // 0.5 s + 2^-40 s
    p.insert(p.end(), std::begin(frac), std::end(frac));
    p.push_back(0);
    if (fcs) put32(p, 0x12345678);
    auto r = run(p, 1, trailer_options(TrailerKind::kC3550, fcs), 0xffffffffu, cap);
    EXPECT_EQ(r.problem, "");
    EXPECT_EQ(r.bytes, frame());
    EXPECT_EQ(r.frame.ts_ns, kSec * 1'000'000'000u + 500'000'000u) << "fraction truncated to ns, as tshark";
    EXPECT_EQ(tag_values(r.tags, TagKey::kC3550SrcPort), std::vector<std::uint32_t>{9});
  }
}

// A 7150 keyframe: Ethernet / IPv4 protocol 253 / the 46-byte v1 body.
std::vector<std::uint8_t> keyframe(std::uint64_t asic, std::uint64_t utc) {
  std::vector<std::uint8_t> p = {0x01, 0x00, 0x5e, 0, 0, 1, 0x00, 0x1c, 0x73, 1, 2, 3, 0x08, 0x00};
  const std::uint8_t ip[] = {0x45, 0, 0, 66, 0, 0, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
  p.insert(p.end(), std::begin(ip), std::end(ip));
  put32(p, static_cast<std::uint32_t>(asic >> 32));
  put32(p, static_cast<std::uint32_t>(asic));
  put32(p, static_cast<std::uint32_t>(utc >> 32));
  put32(p, static_cast<std::uint32_t>(utc));
  for (int i = 0; i < 24 + 6; ++i) p.push_back(0);
  return p;
}

std::vector<std::uint8_t> ticked(std::uint32_t ticks) {
  auto p = frame();
  // bit 7 of the field is not part of the count
  put32(p, ((ticks << 1) & 0xffffff00u) | (ticks & 0x7fu));
  return p;
}

TEST(Arista7150, KeyframesSetTheClockAndTicksBecomeUtc) {
  DecapOptions o = trailer_options(TrailerKind::kA7150);
  FramePipeline pipeline(o);
  const std::uint64_t t0 = kSec * 1'000'000'000u;
  const std::uint64_t asic0 = (std::uint64_t{5} << 31) + 1000;  // the low 31 bits are 1000
  FrameTags tags;
  auto kf = keyframe(asic0, t0);
  auto f = pipeline.apply(kf.data(), static_cast<std::uint32_t>(kf.size()), static_cast<std::uint32_t>(kf.size()),
                          t0 + 50, 1, tags);
  EXPECT_FALSE(f.changed) << "keyframes pass unchanged";
  EXPECT_EQ(pipeline.counters().keyframes, 1u);
  // 350 ticks later = 1000 ns later.
  auto p = ticked(1000 + 350);
  f = pipeline.apply(p.data(), static_cast<std::uint32_t>(p.size()), static_cast<std::uint32_t>(p.size()), t0 + 900, 1,
                     tags);
  EXPECT_EQ(f.ts_ns, t0 + 1000);
  EXPECT_EQ(std::vector<std::uint8_t>(f.data, f.data + f.caplen), frame());
  // 10 s later (the 31-bit counter wrapped once): the capture time picks the right wrap.
  const std::uint64_t ten_s_ticks = 3'500'000'000ull;
  p = ticked(static_cast<std::uint32_t>((1000 + ten_s_ticks) & Arista7150Clock::kTickMask));
  f = pipeline.apply(p.data(), static_cast<std::uint32_t>(p.size()), static_cast<std::uint32_t>(p.size()),
                     t0 + 10'000'050'000ull, 1, tags);
  EXPECT_EQ(f.ts_ns, t0 + 10'000'000'000ull);
  // A second keyframe 20 s on, counting 0.1% fast: the rate is measured from the pair.
  const std::uint64_t asic1 = asic0 + 7'007'000'000ull;
  kf = keyframe(asic1, t0 + 20'000'000'000ull);
  pipeline.apply(kf.data(), static_cast<std::uint32_t>(kf.size()), static_cast<std::uint32_t>(kf.size()),
                 t0 + 20'000'000'000ull, 1, tags);
  p = ticked(static_cast<std::uint32_t>((asic1 + 1'001'000) & Arista7150Clock::kTickMask));
  f = pipeline.apply(p.data(), static_cast<std::uint32_t>(p.size()), static_cast<std::uint32_t>(p.size()),
                     t0 + 20'002'000'000ull, 1, tags);
  EXPECT_NEAR(static_cast<double>(f.ts_ns - t0), 20'002'857'142.0, 2.0);
}

TEST(Arista7150, WithoutAKeyframeTheCaptureTimeStays) {
  DecapOptions o = trailer_options(TrailerKind::kA7150);
  auto r = run(ticked(5), 1, o, 0xffffffffu, kSec * 1'000'000'000u);
  EXPECT_EQ(r.frame.ts_ns, kSec * 1'000'000'000u);
  EXPECT_EQ(r.bytes, frame()) << "the ticks are still removed";
  EXPECT_EQ(r.problem, "timestamp_missing");
}

TEST(SrcMacTimestamp, Arista7280FortyEightBitInTheSourceAddress) {
  DecapOptions o;
  o.src_mac_timestamp = true;
  auto p = frame();
  const std::uint8_t smac[] = {0xed, 0x57, 0x38, 0x4f, 0x59, 0xc8};  // seconds 0x..ed57, 944724424 ns
  std::copy(std::begin(smac), std::end(smac), p.begin() + 6);
  auto r = run(p, 1, o, 0xffffffffu, 0x5ceeed00ull * 1'000'000'000u);
  EXPECT_EQ(r.frame.ts_ns, 0x5ceeed57ull * 1'000'000'000u + 944724424u);
  EXPECT_EQ(r.bytes, p) << "bytes unchanged";
}

TEST(TrailerKinds, NamesRoundTrip) {
  for (auto k : {TrailerKind::kNone, TrailerKind::kA7130, TrailerKind::kC3550, TrailerKind::kA7150}) {
    EXPECT_EQ(parse_trailer_kind(trailer_kind_name(k)), k);
  }
  EXPECT_EQ(parse_trailer_kind("metamako"), TrailerKind::kA7130);
  EXPECT_EQ(parse_trailer_kind("exablaze"), TrailerKind::kC3550);
  EXPECT_FALSE(parse_trailer_kind("a7131"));
}

}  // namespace
}  // namespace pushcap::decap
