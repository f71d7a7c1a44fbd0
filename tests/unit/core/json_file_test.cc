#include "core/json_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/pcap_format.h"
#include "test_util.h"

namespace pushcap {
namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(JsonFile, ReadsAnObjectAndNamesTheFileInEveryError) {
  test::TempDir tmp;
  const std::string& dir = tmp.path;
  write(dir + "/ok.json", R"({"a": 1, "b": "x"})");
  auto ok = read_json_file(dir + "/ok.json", "checkpoint");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ((*ok)["a"], 1);

  auto missing = read_json_file(dir + "/none.json", "checkpoint");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::kNotFound);
  auto absent = read_json_file_if_present(dir + "/none.json", "checkpoint");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());

  write(dir + "/torn.json", R"({"a": 1, "b)");
  auto torn = read_json_file(dir + "/torn.json", "checkpoint");
  ASSERT_FALSE(torn);
  EXPECT_EQ(torn.error().code(), Errc::kDamagedCapture);
  EXPECT_NE(torn.error().message().find(dir + "/torn.json"), std::string::npos) << torn.error().message();
  EXPECT_NE(torn.error().message().find("checkpoint"), std::string::npos);

  write(dir + "/list.json", "[1, 2]");
  EXPECT_FALSE(read_json_file(dir + "/list.json", "checkpoint")) << "an object, not any JSON";
}

TEST(JsonFile, RefusesAFileOverItsBoundAndDoesNotFollowLinks) {
  test::TempDir tmp;
  const std::string& dir = tmp.path;
  write(dir + "/big.json", "{\"a\": \"" + std::string(5000, 'x') + "\"}");
  auto big = read_json_file(dir + "/big.json", "spool record", 1000);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), Errc::kDamagedCapture);

  write(dir + "/real.json", R"({"a": 1})");
  ASSERT_EQ(::symlink((dir + "/real.json").c_str(), (dir + "/link.json").c_str()), 0);
  auto linked = read_json_file(dir + "/link.json", "checkpoint");
  EXPECT_FALSE(linked) << "a link planted where a state file belongs is not read";
}

TEST(JsonFile, DecodeTurnsAMissingOrMistypedFieldIntoAnError) {
  auto json = parse_json_object(R"({"n": "not a number"})", "/x/state.json", "segment index");
  ASSERT_TRUE(json);
  auto n = decode_json<int>(*json, "/x/state.json", "segment index",
                            [](const nlohmann::ordered_json& j) { return j.at("n").get<int>(); });
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message().find("/x/state.json: not a valid segment index"), std::string::npos);
  auto m = decode_json<int>(*json, "/x/state.json", "segment index",
                            [](const nlohmann::ordered_json& j) { return j.at("m").get<int>(); });
  EXPECT_FALSE(m);
}

TEST(PcapFormat, FileHeaderIsWhatLibpcapWrites) {
  // The bytes of a header tcpdump -w writes for Ethernet, snaplen 262144, microseconds.
  std::uint8_t out[pcap::kFileHeaderSize];
  pcap::write_file_header({pcap::kLinktypeEthernet, 262144, false, false}, out);
  EXPECT_EQ(test::Bytes(out, out + sizeof out), test::pcap_header(false, false, 262144, 1));
  pcap::write_file_header({pcap::kLinktypeRaw, 0, true, true}, out);
  EXPECT_EQ(test::Bytes(out, out + sizeof out), test::pcap_header(true, true, pcap::kMaxSnaplen, 101))
      << "nanosecond magic, big-endian, 0 written as the largest snap length";
}

}  // namespace
}  // namespace pushcap
