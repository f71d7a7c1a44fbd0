// Each in-process codec against the command-line decoder users have (gzip, zstd, lz4): what
// the encoder writes, at several levels and in many small and large writes, decodes to exactly
// the bytes given.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "encode/compression.h"
#include "test_util.h"

namespace pushcap::encode {
namespace {

class MemorySink final : public ByteSink {
 public:
  Result<void> write(const std::uint8_t* data, std::size_t len) override {
    bytes.insert(bytes.end(), data, data + len);
    return {};
  }
  Result<void> finish() override { return {}; }
  test::Bytes bytes;
};

// Packet-like input: headers that repeat, payloads that do not compress.
test::Bytes sample(std::size_t size) {
  std::mt19937 rng(7);
  test::Bytes b;
  while (b.size() < size) {
    test::pcap_record(b, 1700000000, static_cast<std::uint32_t>(b.size()), 64, 0x45);
    for (int i = 0; i < 200; ++i) b.push_back(static_cast<std::uint8_t>(rng()));
  }
  b.resize(size);
  return b;
}

test::Bytes decode_with(const std::string& tool, const test::Bytes& encoded, const test::TempDir& tmp) {
  const std::string in = tmp / "in", out = tmp / "out";
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
  const std::string cmd = tool + " -dc < " + in + " > " + out;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(out, std::ios::binary);
  return test::Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Case {
  const char* spec;
  const char* tool;
};

class EncoderTest : public ::testing::TestWithParam<Case> {};

TEST_P(EncoderTest, DecodesToTheInputByTheUsersTool) {
  test::TempDir tmp;
  auto c = parse_compression(GetParam().spec);
  ASSERT_TRUE(c) << c.error().message();
  const test::Bytes input = sample(5 << 19);
  MemorySink sink;
  auto enc = make_encoder(*c, sink);
  ASSERT_TRUE(enc) << enc.error().message();
  // Writes of every size: a byte, a record, far more than the encoder's 1 MiB buffer.
  std::size_t pos = 0;
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{80}, std::size_t{65536}, std::size_t{3} << 19}) {
    ASSERT_TRUE((*enc)->write(input.data() + pos, n));
    pos += n;
  }
  ASSERT_TRUE((*enc)->write(input.data() + pos, input.size() - pos));
  ASSERT_TRUE((*enc)->finish());
  EXPECT_LT(sink.bytes.size(), input.size()) << "the repeated headers compress";
  EXPECT_EQ(decode_with(GetParam().tool, sink.bytes, tmp), input);
}

TEST_P(EncoderTest, AnEmptyStreamIsAValidEmptyFile) {
  test::TempDir tmp;
  auto c = parse_compression(GetParam().spec);
  MemorySink sink;
  auto enc = make_encoder(*c, sink);
  ASSERT_TRUE(enc);
  ASSERT_TRUE((*enc)->finish());
  EXPECT_TRUE(decode_with(GetParam().tool, sink.bytes, tmp).empty());
}

INSTANTIATE_TEST_SUITE_P(Codecs, EncoderTest,
                         ::testing::Values(Case{"gzip", "gzip"}, Case{"gzip:1", "gzip"}, Case{"gzip:9", "gzip"},
                                           Case{"zstd", "zstd"}, Case{"zstd:19", "zstd"}, Case{"lz4", "lz4"},
                                           Case{"lz4:12", "lz4"}));

TEST(Compression, ParsesTheConfigWordsAndRefusesTheRest) {
  EXPECT_EQ(parse_compression("")->codec, Codec::kNone);
  EXPECT_EQ(parse_compression("none")->codec, Codec::kNone);
  auto z = parse_compression("zstd:3");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->codec, Codec::kZstd);
  EXPECT_EQ(z->level, 3);
  EXPECT_EQ(compression_suffix(*parse_compression("gzip")), ".gz");
  EXPECT_EQ(compression_suffix(*parse_compression("zstd")), ".zst");
  EXPECT_EQ(compression_suffix(*parse_compression("lz4")), ".lz4");
  for (const char* bad : {"gzip:10", "zstd:0", "zstd:20", "lz4:13", "brotli", "gzip:", "gzip:x"}) {
    EXPECT_FALSE(parse_compression(bad)) << bad;
  }
}

}  // namespace
}  // namespace pushcap::encode
