#include "filter/frame_filter.h"

#include <gtest/gtest.h>

namespace pushcap::filter {
namespace {

decap::FrameTags tags(std::initializer_list<std::pair<decap::TagKey, std::uint32_t>> items) {
  decap::FrameTags t;
  for (auto [k, v] : items) t.add(k, v);
  return t;
}

TEST(FrameFilter, ClausesAreOredAndListsAreAlternatives) {
  auto f = FrameFilter::parse("capture.port==1,2 vlan.id==100");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_TRUE(f->needs_layers());
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kCapturePort, 2}}), ""));
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kCapturePort, 5}, {decap::TagKey::kVlanId, 100}}), ""));
  EXPECT_FALSE(f->match(tags({{decap::TagKey::kCapturePort, 5}, {decap::TagKey::kVlanId, 101}}), ""));
}

TEST(FrameFilter, NotEqualPassesWhenNoValueIsListed) {
  auto f = FrameFilter::parse("vlan.id!=100,200");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->match(tags({{decap::TagKey::kVlanId, 100}}), ""));
  EXPECT_FALSE(f->match(tags({{decap::TagKey::kVlanId, 7}, {decap::TagKey::kVlanId, 200}}), "")) << "any tag listed";
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kVlanId, 7}}), ""));
  EXPECT_TRUE(f->match(tags({}), "")) << "untagged packets are not on VLAN 100";
}

TEST(FrameFilter, EveryKeyAndHexValues) {
  auto f = FrameFilter::parse(
      "a7130.srcdevice==0x102 a7130.srcport==7 c3550.srcport==9 mpls.label==16 gre.key==0xffffffff "
      "erspan.session==1023 vxlan.vni==0xffffff geneve.vni==5");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kA7130SrcDevice, 0x102}}), ""));
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kGreKey, 0xffffffffu}}), ""));
  EXPECT_TRUE(f->match(tags({{decap::TagKey::kGeneveVni, 5}}), ""));
  EXPECT_FALSE(f->match(tags({{decap::TagKey::kGeneveVni, 6}}), ""));
}

TEST(FrameFilter, InterfaceNames) {
  auto f = FrameFilter::parse("capture.interface==eth1,eth2");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->needs_layers());
  EXPECT_TRUE(f->needs_interface_name());
  EXPECT_TRUE(f->match(tags({}), "eth2"));
  EXPECT_FALSE(f->match(tags({}), "eth3"));
}

TEST(FrameFilter, EmptyPassesEverything) {
  auto f = FrameFilter::parse("   ");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->empty());
  EXPECT_TRUE(f->match(tags({}), ""));
}

TEST(FrameFilter, ErrorsNameTheColumn) {
  auto msg = [](const char* e) {
    auto f = FrameFilter::parse(e);
    return f ? std::string("parsed") : f.error().message();
  };
  EXPECT_EQ(msg("vlan.id=5"), "at column 8: expected == or != after 'vlan.id'");
  EXPECT_EQ(msg("vlan.id==5 foo.bar==1").substr(0, 37), "at column 12: unknown key 'foo.bar' (");
  EXPECT_EQ(msg("vlan.id==5,"), "at column 12: expected a value for 'vlan.id'");
  EXPECT_EQ(msg("vlan.id==x5"), "at column 10: 'x5' is not a number (decimal or 0x hex) for 'vlan.id'");
  EXPECT_EQ(msg("vlan.id==4096"), "at column 10: 4096 is out of range for 'vlan.id' (at most 4095)");
  EXPECT_EQ(msg("==5"), "at column 1: expected a key such as vlan.id, found '='");
}

}  // namespace
}  // namespace pushcap::filter
