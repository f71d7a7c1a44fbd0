#include "push/target_checkpoints.h"

#include <gtest/gtest.h>

#include "capture/parse_util.h"
#include "core/json_file.h"

namespace pushcap::test {
namespace {

// Inputs named in0, in1, ... in that order.
class NamedInputs : public capture::Source {
 public:
  capture::SourceOutcome run(const capture::SourceEvents&) override { return {}; }
  [[nodiscard]] std::uint64_t bytes_read() const override { return 0; }
  [[nodiscard]] std::string input_name(std::uint32_t index) const override { return "in" + std::to_string(index); }
};

// A batch of `count` 60-byte records read from input `input`.
std::unique_ptr<Parsed> batch_of(std::uint32_t input, std::uint32_t count) {
  Bytes b = pcap_header(true);
  for (std::uint32_t i = 0; i < count; ++i) pcap_record(b, 1000, i, 60);
  auto p = parse_all(b);
  p->batch.input = input;
  return p;
}

struct Fixture {
  TempDir dir;
  NamedInputs source;
  push::TargetCounters counters;
  push::TargetLog log{"t", {}};
  push::TargetCheckpoints checkpoints{"t"};

  push::CheckpointFile open() {
    auto f = push::CheckpointFile::open(dir.path, "t");
    EXPECT_TRUE(f) << f.error().message();
    return std::move(*f);
  }
};

std::optional<push::Checkpoint> load(const std::string& dir) {
  // As a restart reads it (after release() let go of the lock).
  auto f = push::CheckpointFile::open(dir, "t");
  if (!f) return std::nullopt;
  auto cp = f->load();
  return cp ? *cp : std::nullopt;
}

TEST(TargetCheckpoints, WithoutAStateFolderNothingIsSkippedOrSaved) {
  push::TargetCheckpoints cps("t");
  push::TargetLog log("t", {});
  auto p = batch_of(0, 3);
  auto first = cps.first_to_process(p->batch, log);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 0u);
  EXPECT_FALSE(cps.active());
}

TEST(TargetCheckpoints, TheFirstRecordIsSavedBeforeAnySplitExists) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  auto p = batch_of(2, 3);
  auto first = fx.checkpoints.first_to_process(p->batch, fx.log);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 0u);
  fx.checkpoints.release();
  auto cp = load(fx.dir.path);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->resume.input, "in2");
  EXPECT_EQ(cp->resume.seek, 24u) << "the first record's header, after the file header";
  EXPECT_EQ(cp->resume.skip_below, 24u + 16u) << "its data";
  EXPECT_EQ(cp->splits, 0u);
}

TEST(TargetCheckpoints, ARestartSkipsWhatWasPublishedAndCountsIt) {
  Fixture fx;
  push::Checkpoint last;
  last.resume.input = "in1";
  last.resume.skip_below = 24 + 2 * 76 + 16;  // the third record of in1 is the first not published
  fx.checkpoints.use(fx.open(), &fx.source, last, &fx.counters);
  auto earlier = batch_of(0, 4);
  auto e = fx.checkpoints.first_to_process(earlier->batch, fx.log);
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, 4u) << "an input before the checkpoint's is skipped whole";
  auto same = batch_of(1, 4);
  auto s = fx.checkpoints.first_to_process(same->batch, fx.log);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, 2u);
  EXPECT_EQ(fx.counters.resume_skipped(), 6u);
  auto again = batch_of(1, 4);
  EXPECT_EQ(*fx.checkpoints.first_to_process(again->batch, fx.log), 0u) << "once past it, nothing more is skipped";
}

TEST(TargetCheckpoints, ResumeAfterTheLastRecordOrAtTheFirstOfASplitStillOpen) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  const push::SourcePos last{1, 500, 484};
  auto rp = fx.checkpoints.resume_after(last, {});
  EXPECT_EQ(rp.input, "in1");
  EXPECT_EQ(rp.seek, 484u);
  EXPECT_EQ(rp.skip_below, 501u) << "after the last record";
  // Another split (a second output format) still open since an earlier record: resume at it.
  rp = fx.checkpoints.resume_after(last, {{1, 900, 884}, {0, 300, 284}});
  EXPECT_EQ(rp.input, "in0");
  EXPECT_EQ(rp.seek, 284u);
  EXPECT_EQ(rp.skip_below, 300u) << "at that record: it is not published yet";
}

TEST(TargetCheckpoints, SavesInOrderAndNeverPastAFailedSave) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  push::ResumePoint a{"in0", 24, 100};
  ASSERT_TRUE(fx.checkpoints.save_publishing(a, fx.dir / "x_1.pcap.pending"));
  // The folder goes away: the next save fails, and every later one too, even once it is back.
  const std::string moved = fx.dir.path + ".moved";
  ASSERT_EQ(::rename(fx.dir.path.c_str(), moved.c_str()), 0);
  push::ResumePoint b{"in0", 24, 200};
  EXPECT_FALSE(fx.checkpoints.save_publishing(b, fx.dir / "x_2.pcap.pending"));
  ASSERT_EQ(::rename(moved.c_str(), fx.dir.path.c_str()), 0);
  push::ResumePoint c{"in0", 24, 300};
  EXPECT_FALSE(fx.checkpoints.save_publishing(c, fx.dir / "x_3.pcap.pending"))
      << "a later split must not move the checkpoint past one that was not saved";
  fx.checkpoints.release();
  auto cp = load(fx.dir.path);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->resume.skip_below, 100u);
  EXPECT_EQ(cp->publishing, fx.dir / "x_1.pcap.pending");
  EXPECT_EQ(cp->final_path, fx.dir / "x_1.pcap");
}

TEST(TargetCheckpoints, StreamedSplitsMoveTheCheckpointOnlyInTheOrderTheyWereMade) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  fx.checkpoints.stream_handed("r:b/x_1.pcap", {"in0", 24, 100});
  fx.checkpoints.stream_handed("r:b/x_2.pcap", {"in0", 24, 200});
  ASSERT_TRUE(fx.checkpoints.stream_uploaded("r:b/x_2.pcap"));
  // Read while the push holds the lock, as an operator would.
  auto mid = read_json_file_if_present(fx.dir / "t.checkpoint.json", "checkpoint");
  ASSERT_TRUE(mid) << mid.error().message();
  EXPECT_FALSE(mid->has_value()) << "x_1 is not uploaded yet: nothing saved past it";
  ASSERT_TRUE(fx.checkpoints.stream_uploaded("r:b/x_1.pcap"));
  fx.checkpoints.release();
  auto cp = load(fx.dir.path);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->resume.skip_below, 200u) << "both uploaded: past both";
}

TEST(TargetCheckpoints, HeldBeforeASplitThatWasNotPublishedNoLaterSplitMovesIt) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  ASSERT_TRUE(fx.checkpoints.save_publishing({"in0", 24, 100}, fx.dir / "x_1.pcap.pending"));
  fx.checkpoints.hold("split x_2 was not published");
  auto later = fx.checkpoints.save_publishing({"in0", 24, 300}, fx.dir / "x_3.pcap.pending");
  ASSERT_FALSE(later);
  EXPECT_NE(later.error().message().find("split x_2 was not published"), std::string::npos) << later.error().message();
  fx.checkpoints.release();
  auto cp = load(fx.dir.path);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->resume.skip_below, 100u) << "the next run starts before x_2";
}

TEST(TargetCheckpoints, AfterReleaseSavesFailInsteadOfWritingAnywhere) {
  Fixture fx;
  fx.checkpoints.use(fx.open(), &fx.source, std::nullopt, &fx.counters);
  fx.checkpoints.release();
  EXPECT_FALSE(fx.checkpoints.save_publishing({"in0", 24, 100}, fx.dir / "x.pcap.pending"));
}

}  // namespace
}  // namespace pushcap::test
