#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "capture/parse_util.h"
#include "core/fd.h"
#include "split/pcap_writer.h"

namespace pushcap::test {
namespace {

Bytes slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST(PcapWriter, CopiesClassicRecordsExactlyAndSynthesizesPcapngOnes) {
  std::string dir = temp_dir();
  Bytes in = pcap_header(true);
  for (std::uint32_t i = 0; i < 100; ++i) pcap_record(in, 1000 + i, i * 7, 60 + i, static_cast<std::uint8_t>(i));
  auto p = parse_all(in);
  auto fd = open_file(dir + "/out.pcap", O_WRONLY | O_CREAT | O_TRUNC);
  ASSERT_TRUE(fd);
  split::PcapWriter w;
  capture::LinkFormat fmt{1, 65535, capture::TsResolution::kNano, false, {}};
  FdSink sink(fd->get(), "out");
  w.start(sink, fmt);
  // Skip record 50 so the writer has to break the run.
  for (std::size_t i = 0; i < p->batch.records.size(); ++i) {
    if (i != 50) {
      ASSERT_TRUE(w.add(p->batch, p->batch.records[i]));
    }
  }
  ASSERT_TRUE(w.end_batch());
  ASSERT_TRUE(w.flush());
  fd->close("out");
  Bytes out = slurp(dir + "/out.pcap");
  // Expected: the input with record 50 cut out.
  std::size_t r50 = p->batch.records[50].offset - 16;
  Bytes expected(in.begin(), in.begin() + static_cast<long>(r50));
  expected.insert(expected.end(), in.begin() + static_cast<long>(p->batch.records[51].offset - 16), in.end());
  EXPECT_EQ(out, expected);

  Bytes ng = concat({ng_section(), ng_interface(1, 0, 9), ng_packet(0, 1638402659123456789ull, 61, 0x77)});
  auto q = parse_all(ng);
  auto fd2 = open_file(dir + "/ng.pcap", O_WRONLY | O_CREAT | O_TRUNC);
  split::PcapWriter w2;
  FdSink sink2(fd2->get(), "ng");
  w2.start(sink2, (*q->batch.formats)[0]);
  ASSERT_TRUE(w2.add(q->batch, q->batch.records[0]));
  ASSERT_TRUE(w2.flush());
  fd2->close("ng");
  Bytes o2 = slurp(dir + "/ng.pcap");
  Bytes e2 = pcap_header(true, false, 262144);
  pcap_record(e2, 1638402659, 123456789, 61, 0x77);
  EXPECT_EQ(o2, e2);
}

}  // namespace
}  // namespace pushcap::test
