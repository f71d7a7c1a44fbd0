#include <gtest/gtest.h>

#include <fstream>

#include "capture/file_source.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

std::string write_file(const std::string& dir, const std::string& name, const Bytes& b) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
  return path;
}

struct Collected {
  std::vector<std::uint64_t> ts;
  std::vector<Bytes> data;
  capture::SourceOutcome outcome;
};

Collected read_all(const std::vector<std::string>& args, std::size_t batch_bytes) {
  Collected c;
  auto inputs = capture::expand_inputs(args);
  EXPECT_TRUE(inputs.has_value());
  capture::BatchPool pool(3, batch_bytes);
  capture::FileSource source(*inputs, pool);
  c.outcome = source.run([&](capture::BatchPtr b) {
    for (const auto& r : b->records) {
      c.ts.push_back(r.ts_ns);
      c.data.emplace_back(b->packet(r), b->packet(r) + r.caplen);
    }
  });
  return c;
}

TEST(FileSource, SameRecordsWhateverTheReadSize) {
  std::string dir = temp_dir();
  Bytes b = pcap_header();
  for (std::uint32_t i = 0; i < 50; ++i) pcap_record(b, 100 + i, i, 20 + i * 7, static_cast<std::uint8_t>(i));
  std::string path = write_file(dir, "a.pcap", b);
  Bytes ng = concat({ng_section(), ng_interface(1, 0, 9)});
  for (std::uint32_t i = 0; i < 50; ++i) {
    Bytes p = ng_packet(0, (100ull + i) * 1'000'000'000ull + i, 20 + i * 7, static_cast<std::uint8_t>(i));
    ng.insert(ng.end(), p.begin(), p.end());
  }
  std::string ng_path = write_file(dir, "b.pcap", ng);  // pcapng despite the name
  for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{333}, std::size_t{1} << 20}) {
    auto c = read_all({path, ng_path}, batch);
    ASSERT_TRUE(c.outcome.errors.empty()) << c.outcome.errors[0].message();
    ASSERT_EQ(c.ts.size(), 100u) << "batch " << batch;
    for (std::uint32_t i = 0; i < 50; ++i) {
      EXPECT_EQ(c.ts[i], (100ull + i) * 1'000'000'000ull + i * 1000ull);
      EXPECT_EQ(c.ts[50 + i], (100ull + i) * 1'000'000'000ull + i);
      EXPECT_EQ(c.data[i], Bytes(20 + i * 7, static_cast<std::uint8_t>(i)));
      EXPECT_EQ(c.data[50 + i], Bytes(20 + i * 7, static_cast<std::uint8_t>(i)));
    }
  }
}

TEST(FileSource, DirectoryInNameOrderSkippingNonCapturesAndDamageNamesFileAndOffset) {
  std::string dir = temp_dir();
  Bytes b1 = pcap_header();
  pcap_record(b1, 2, 0, 10);
  Bytes b0 = pcap_header();
  pcap_record(b0, 1, 0, 10);
  write_file(dir, "b.pcap", b1);
  write_file(dir, "a.pcap", b0);
  write_file(dir, "notes.txt", Bytes{'h', 'i', '!', '!', '\n'});
  Bytes cut = pcap_header();
  pcap_record(cut, 3, 0, 10);
  pcap_record(cut, 4, 0, 10);
  cut.resize(cut.size() - 3);
  std::string cut_path = write_file(dir + "/..", "cut-" + dir.substr(dir.rfind('/') + 1) + ".pcap", cut);
  auto c = read_all({dir, cut_path}, 4096);
  ASSERT_EQ(c.ts.size(), 3u);
  EXPECT_EQ(c.ts[0], 1'000'000'000ull);
  EXPECT_EQ(c.ts[1], 2'000'000'000ull);
  EXPECT_EQ(c.ts[2], 3'000'000'000ull);
  ASSERT_EQ(c.outcome.skipped.size(), 1u);
  ASSERT_EQ(c.outcome.errors.size(), 1u);
  const std::string& msg = c.outcome.errors[0].message();
  EXPECT_NE(msg.find(cut_path), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte offset 50"), std::string::npos) << msg;
}

TEST(FileSource, ResumesAtAnInputOfItsListAndKnowsTheirOrder) {
  std::string dir = temp_dir();
  std::vector<std::string> paths;
  for (std::uint32_t f = 0; f < 3; ++f) {
    Bytes b = pcap_header();
    pcap_record(b, 100 + f, 0, 60);
    paths.push_back(write_file(dir, "z" + std::to_string(2 - f) + ".pcap", b));  // names not in list order
  }
  auto inputs = capture::expand_inputs(paths);
  ASSERT_TRUE(inputs);
  capture::BatchPool pool(3, 1 << 16);
  capture::FileSource source(*inputs, pool);
  EXPECT_TRUE(source.input_before(paths[0], paths[1])) << "the list's order, not the names'";
  EXPECT_FALSE(source.input_before(paths[1], paths[0]));
  EXPECT_FALSE(source.input_before(paths[0], dir + "/elsewhere.pcap"));
  EXPECT_FALSE(source.resume_at(dir + "/elsewhere.pcap", 0)) << "not an input: read everything";
  ASSERT_TRUE(source.resume_at(paths[1], 24));
  std::vector<std::uint64_t> ts;
  source.run([&](capture::BatchPtr b) {
    for (const auto& r : b->records) ts.push_back(r.ts_ns / 1'000'000'000);
  });
  EXPECT_EQ(ts, (std::vector<std::uint64_t>{101, 102})) << "the first input is not read again";
}

TEST(FileSource, MissingInputIsAnError) {
  auto inputs = capture::expand_inputs({"/nonexistent/x.pcap"});
  ASSERT_FALSE(inputs.has_value());
  EXPECT_NE(inputs.error().message().find("/nonexistent/x.pcap"), std::string::npos);
}

}  // namespace
}  // namespace pushcap::test
