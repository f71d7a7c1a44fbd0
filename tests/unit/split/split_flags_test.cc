#include <gtest/gtest.h>

#include "split/split_flags.h"

namespace pushcap::split {
namespace {

Result<SplitSpec> parse(const std::string& text) {
  SplitSpec spec;
  auto words = split_words(text);
  if (!words) return fail(words.error());
  auto r = apply_split_flags(*words, spec);
  if (!r) return fail(r.error());
  return spec;
}

TEST(SplitFlags, ScientificNotationAndWholeNumbers) {
  EXPECT_EQ(*parse_count("60e9"), 60'000'000'000ull);
  EXPECT_EQ(*parse_count("1e6"), 1'000'000ull);
  EXPECT_EQ(*parse_count("123456789012"), 123456789012ull);
  EXPECT_EQ(*parse_count("1.5e9"), 1'500'000'000ull);
  EXPECT_FALSE(parse_count("0"));
  EXPECT_FALSE(parse_count("-5"));
  EXPECT_FALSE(parse_count("1.5"));
  EXPECT_FALSE(parse_count("60s"));
  EXPECT_FALSE(parse_count("1e30"));
  EXPECT_FALSE(parse_count(""));
}

TEST(SplitFlags, TheOriginalsFlags) {
  auto s = parse("--split-time 60e9 --filename-epoch-sec-startend");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->time_ns, 60'000'000'000ull);
  EXPECT_EQ(s->layout, NameLayout::kEpochSecStartEnd);
  auto b = parse("--split-byte 1e9 --filename-tstr-HHMMSS_NS -o /data/out/ --filename-suffix .pcap");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->bytes, 1'000'000'000ull);
  EXPECT_EQ(b->layout, NameLayout::kTstrHHMMSS_NS);
  EXPECT_EQ(*b->output_prefix, "/data/out/");
  auto f = parse("--split-packet 1000 --filename-strftime '%Y/%m/%d/%H%M%S' --filename-utc");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->packets, 1000u);
  EXPECT_EQ(f->strftime, "%Y/%m/%d/%H%M%S");
  EXPECT_TRUE(f->utc);
  auto z = parse("-Z root:0");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->owner->uid, 0u);
  EXPECT_TRUE(z->owner->set_gid);
}

TEST(SplitFlags, OutputFlagsOfTheOriginalAreKept) {
  SplitSpec spec;
  auto words = split_words(
      "--script-close '/opt/x/close.sh --verbose' --script-post /opt/post.sh "
      "--pipe-cmd \"gzip -c -1\" --compress zstd:3");
  ASSERT_TRUE(words);
  ASSERT_TRUE(apply_split_flags(*words, spec));
  EXPECT_EQ(spec.script_close, "/opt/x/close.sh --verbose");
  EXPECT_EQ(spec.script_post, "/opt/post.sh");
  EXPECT_EQ(spec.pipe_cmd, "gzip -c -1");
  EXPECT_EQ(spec.compress, "zstd:3");
}

TEST(SplitFlags, ErrorsNameTheFlag) {
  auto u = parse("--split-tme 60e9");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message().find("unknown flag '--split-tme'"), std::string::npos);
  auto v = parse("--split-time");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find("--split-time needs a value"), std::string::npos);
  auto n = parse("--split-time 60 s");
  ASSERT_FALSE(n);
  auto w = parse("--split-time sixty");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("--split-time: 'sixty' is not a number"), std::string::npos)
      << w.error().message();
  auto later = parse("--ring /opt/fmadio/queue/pcap_all");
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code(), Errc::kUnsupported);
  auto empty = parse("--pipe-cmd ''");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("--pipe-cmd needs a non-empty value"), std::string::npos);
  auto user = parse("-Z no-such-user-here");
  ASSERT_FALSE(user);
  EXPECT_NE(user.error().message().find("no such user"), std::string::npos);
  auto q = split_words("--filename-strftime '%Y");
  ASSERT_FALSE(q);
}

}  // namespace
}  // namespace pushcap::split
