#include <gtest/gtest.h>

#include <fstream>

#include "config/lua_config.h"
#include "config/nearest_name.h"
#include "test_util.h"

namespace pushcap::test {
namespace {

std::string write_config(const std::string& text) {
  static int n = 0;
  std::string path = temp_dir() + "/push" + std::to_string(n++) + ".lua";
  std::ofstream(path) << text;
  return path;
}

std::string target(const std::string& fields) {
  return "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {\n" + fields + "\n})\nreturn Config\n";
}

const char* kGood = R"(Desc = "all", Mode = "File", Path = "/tmp/x/all", Split = "--split-time 60e9",
  FileName = "--filename-epoch-sec-startend", FilterBPF = nil)";

std::string error_of(const std::string& text, const config::LuaLimits& limits = {}) {
  auto r = config::load_config(write_config(text), limits);
  return r ? std::string("(loaded)") : r.error().message();
}

TEST(LuaConfig, LoadsTheSeedShapes) {
  auto r = config::load_config(write_config(target(kGood)));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->targets.size(), 1u);
  const auto& t = r->targets[0];
  EXPECT_EQ(t.desc, "all");
  EXPECT_EQ(t.prefix, "/tmp/x/all_");
  EXPECT_EQ(t.spec.time_ns, 60'000'000'000ull);
  EXPECT_EQ(t.spec.layout, split::NameLayout::kEpochSecStartEnd);
  EXPECT_EQ(t.filter_bpf, "");

  // ["Key"] = value spelling, FollowStart, empty FilterFrame / SplitCmd, Decap = false.
  auto q = config::load_config(write_config(R"(local Config = {}
Config.FollowStart = true
Config.Decap = false
Config.Target = {}
table.insert(Config.Target, { ["Desc"] = "all", ["Mode"] = "File", ["Path"] = "/tmp/x/",
  ["Split"] = "--split-time 1e9", ["SplitCmd"] = "", ["FileName"] = "--filename-tstr-HHMMSS",
  ["FilterBPF"] = "", ["FilterFrame"] = "" })
return Config)"));
  ASSERT_TRUE(q) << q.error().message();
  EXPECT_TRUE(q->follow_start);
  EXPECT_EQ(q->targets[0].prefix, "/tmp/x/");
}

TEST(LuaConfig, SixtyFourTargetsFromALoop) {
  auto r = config::load_config(write_config(R"(local Config = { Target = {} }
for i = 0, 63 do
  table.insert(Config.Target, { Desc = "port" .. i, Path = "/tmp/p" .. i .. "/", Split = "--split-byte 1e9",
    FilterBPF = "udp and dst port " .. (30000 + i) })
end
return Config)"));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->targets.size(), 64u);
  EXPECT_EQ(r->targets[63].filter_bpf, "udp and dst port 30063");
}

TEST(LuaConfig, ErrorsNameFileLineTargetAndField) {
  std::string syntax = error_of("local Config = {\nConfig.Target = {}\n");
  EXPECT_NE(syntax.find("syntax error"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find(".lua:"), std::string::npos) << syntax;

  std::string unknown = error_of(target(std::string(kGood) + ", FilterBFP = \"tcp\""));
  EXPECT_NE(unknown.find("target 'all'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("unknown field 'FilterBFP' (did you mean 'FilterBPF'?)"), std::string::npos) << unknown;

  std::string type = error_of(target(R"(Desc = "all", Path = "/tmp/x/", Split = 60e9)"));
  EXPECT_NE(type.find("field Split must be a string, not a number"), std::string::npos) << type;

  std::string missing = error_of(target(R"(Path = "/tmp/x/", Split = "--split-time 60e9")"));
  EXPECT_NE(missing.find("target #1: field Desc is missing"), std::string::npos) << missing;

  std::string dup = error_of(R"(local C = { Target = {
  { Desc = "a", Path = "/tmp/a/", Split = "--split-time 1e9" },
  { Desc = "a", Path = "/tmp/b/", Split = "--split-time 1e9" } } }
return C)");
  EXPECT_NE(dup.find("target #2: duplicate Desc 'a'"), std::string::npos) << dup;

  std::string flag = error_of(target(R"(Desc = "all", Path = "/tmp/x/", Split = "--split-tim 60e9")"));
  EXPECT_NE(flag.find("field Split \"--split-tim 60e9\": unknown flag '--split-tim' (did you mean '--split-time'?)"),
            std::string::npos)
      << flag;

  std::string name = error_of(
      target(R"(Desc = "all", Path = "/tmp/x/", Split = "--split-time 1e9", FileName = "--filename-tstr-HHMMSSS")"));
  EXPECT_NE(name.find("field FileName"), std::string::npos) << name;

  std::string bpf = error_of(
      target(R"(Desc = "all", Path = "/tmp/x/", Split = "--split-time 1e9", FilterBPF = "udp and (dst port 1")"));
  EXPECT_NE(bpf.find("field FilterBPF \"udp and (dst port 1\": libpcap: can't parse filter expression: syntax error"),
            std::string::npos)
      << bpf;

  std::string global = error_of("return { Target = {}, FolowStart = true }");
  EXPECT_NE(global.find("unknown field 'FolowStart' (did you mean 'FollowStart'?)"), std::string::npos) << global;

  std::string nothing = error_of("local Config = {}");
  EXPECT_NE(nothing.find("must return a table"), std::string::npos) << nothing;
}

TEST(LuaConfig, EncodingFieldsSetTheCodecSuffixAndScripts) {
  auto gz = config::load_config(write_config(target(std::string(kGood) + R"(, Compress = "gzip:6", Post = "/bin/true",
    SplitCmd = "--script-close '/opt/close.sh -v'")")));
  ASSERT_TRUE(gz) << gz.error().message();
  const auto& t = gz->targets[0];
  EXPECT_EQ(t.compression.codec, encode::Codec::kGzip);
  EXPECT_EQ(t.compression.level, 6);
  EXPECT_EQ(t.spec.suffix, ".pcap.gz");
  EXPECT_EQ(t.post, "/bin/true");
  EXPECT_EQ(t.script_close, "/opt/close.sh -v");

  auto own = config::load_config(write_config(
      "local C = { Compress = \"zstd\", ScriptTimeout = 5, ScriptWorkers = 3, Target = {} }\n"
      "table.insert(C.Target, { Desc = \"a\", Path = \"/tmp/a/\", Split = \"--split-time 1e9\", FileSuffix = \".zst\" "
      "})\n"
      "table.insert(C.Target, { Desc = \"b\", Path = \"/tmp/b/\", Split = \"--split-time 1e9\", Compress = \"none\",\n"
      "  PipeCmd = \"gzip -c -1\", FileSuffix = \".pcap.gz\" })\nreturn C\n"));
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_EQ(own->script_timeout, 5);
  EXPECT_EQ(own->script_workers, 3);
  EXPECT_EQ(own->targets[0].compression.codec, encode::Codec::kZstd);
  EXPECT_EQ(own->targets[0].spec.suffix, ".zst");
  EXPECT_FALSE(own->targets[1].compression.active());
  EXPECT_EQ(own->targets[1].pipe_cmd, "gzip -c -1");
  EXPECT_EQ(own->targets[1].spec.suffix, ".pcap.gz");

  for (auto [fields, expected] : {std::pair<const char*, const char*>{R"(Compress = "gzip:12")", "field Compress"},
                                  {R"(Compress = "brotli")", "\"brotli\" is not a known compression"},
                                  {R"(Compress = "lz4", PipeCmd = "gzip -c")", "both compress: choose one"},
                                  {R"(FileSuffix = "a/b")", "must not contain '/'"}}) {
    std::string e = error_of(target(std::string(kGood) + ", " + fields));
    EXPECT_NE(e.find(expected), std::string::npos) << fields << ": " << e;
    EXPECT_NE(e.find("target 'all'"), std::string::npos) << e;
  }
}

TEST(LuaConfig, RcloneTargetsNeedARemoteThatTheRcloneConfigHas) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/rclone.conf") << "[store]\ntype = sftp\nhost = 127.0.0.1\n\n[other]\ntype = local\n";
  std::string common = "Desc = \"up\", Mode = \"rclone\", Split = \"--split-time 1e9\", RcloneConfig = \"" + dir +
                       "/rclone.conf\", SpoolDir = \"" + dir + "/spool/\"";
  auto ok = config::load_config(write_config(target(common + R"(, Path = "store:bucket/all", SpoolLimit = "2G",
    RcloneFlags = "--sftp-set-modtime=false", Upload = "spool", RetryMaxDelay = 5)")));
  ASSERT_TRUE(ok) << ok.error().message();
  const auto& t = ok->targets[0];
  EXPECT_EQ(t.mode, config::Mode::kRclone);
  EXPECT_EQ(t.prefix, "store:bucket/all_");
  EXPECT_EQ(t.rclone.spool_dir, dir + "/spool/up");
  EXPECT_EQ(t.rclone.spool_limit, 2ull << 30);
  EXPECT_EQ(t.rclone.flags, std::vector<std::string>{"--sftp-set-modtime=false"});
  EXPECT_EQ(t.rclone.retry_max_delay, 5);
  EXPECT_FALSE(t.rclone.stream);

  for (auto [fields, expected] :
       {std::pair<const char*, const char*>{R"(Path = "/local/dir/")", "must name an rclone remote"},
        {R"(Path = "stor:bucket/")", "remote 'stor' (from Path \"stor:bucket/\") is not in the rclone config"},
        {R"(Path = "stor:bucket/")", "(did you mean 'store'?)"},
        {R"(Path = "store:b/", Upload = "later")", "field Upload must be \"spool\" or \"stream\""},
        {R"(Path = "store:b/", Upload = "stream", Post = "/bin/true")", "keeps no local copy for a Post script"},
        {R"(Path = "store:b/", Upload = "stream", PipeCmd = "gzip -c")", "cannot run a PipeCmd"},
        {R"(Path = "store:b/", SpoolLimit = "lots")", "field SpoolLimit"},
        {R"(Path = "store:b/", RetryMaxDelay = 0)", "field RetryMaxDelay"}}) {
    std::string e = error_of(target(common + ", " + fields));
    EXPECT_NE(e.find(expected), std::string::npos) << fields << ": " << e;
  }
  std::string missing = error_of(target(
      R"(Desc = "up", Mode = "RCLONE", Path = "store:b/", Split = "--split-time 1e9", RcloneConfig = "/no/such/rclone.conf")"));
  EXPECT_NE(missing.find("cannot read the rclone config /no/such/rclone.conf"), std::string::npos) << missing;
}

TEST(LuaConfig, DecapFieldsInheritFromConfigAndTargetsOverride) {
  auto r = config::load_config(write_config(
      "local C = { Decap = true, Trailer = \"metamako\", HWTimestamp = true, VXLANPorts = {8472}, Target = {} }\n"
      "table.insert(C.Target, { Desc = \"a\", Path = \"/tmp/a/\", Split = \"--split-time 1e9\" })\n"
      "table.insert(C.Target, { Desc = \"b\", Path = \"/tmp/b/\", Split = \"--split-time 1e9\", Decap = false,\n"
      "  Trailer = \"c3550\", TrailerFCS = true, FilterFrame = \"vlan.id==5,6 capture.port!=2\" })\n"
      "return C"));
  ASSERT_TRUE(r) << r.error().message();
  const auto& a = r->targets[0].decap;
  EXPECT_TRUE(a.decap);
  EXPECT_EQ(a.trailer, decap::TrailerKind::kA7130);
  EXPECT_TRUE(a.hw_timestamp);
  ASSERT_EQ(a.vxlan_ports.size(), 1u);
  EXPECT_EQ(a.vxlan_ports[0], 8472);
  const auto& b = r->targets[1];
  EXPECT_FALSE(b.decap.decap);
  EXPECT_EQ(b.decap.trailer, decap::TrailerKind::kC3550);
  EXPECT_TRUE(b.decap.trailer_fcs);
  EXPECT_TRUE(b.decap.hw_timestamp);
  EXPECT_TRUE(b.decap.decode_tags) << "vlan.id needs the layers decoded even without Decap";
  EXPECT_EQ(b.filter_frame, "vlan.id==5,6 capture.port!=2");
}

TEST(LuaConfig, BadDecapFieldsNameTargetFieldAndPosition) {
  std::string frame = error_of(target(std::string(kGood) + ", FilterFrame = \"vlan.id==5 vlan.idd==6\""));
  EXPECT_NE(frame.find("target 'all': field FilterFrame \"vlan.id==5 vlan.idd==6\": at column 12: unknown key "
                       "'vlan.idd'"),
            std::string::npos)
      << frame;
  std::string range = error_of(target(std::string(kGood) + ", FilterFrame = \"vlan.id==4096\""));
  EXPECT_NE(range.find("at column 10: 4096 is out of range for 'vlan.id' (at most 4095)"), std::string::npos) << range;
  std::string trailer = error_of(target(std::string(kGood) + ", Trailer = \"metamak\""));
  EXPECT_NE(trailer.find("field Trailer \"metamak\" is not a known trailer"), std::string::npos) << trailer;
  std::string ports = error_of(target(std::string(kGood) + ", VXLANPorts = {70000}"));
  EXPECT_NE(ports.find("field VXLANPorts must be a UDP port"), std::string::npos) << ports;
  std::string decap = error_of(target(std::string(kGood) + ", Decap = \"yes\""));
  EXPECT_NE(decap.find("field Decap must be true or false, not a string"), std::string::npos) << decap;
}

TEST(LuaConfig, EndlessLoopAndEndlessMemoryAreStopped) {
  config::LuaLimits limits;
  limits.seconds = 0.3;
  std::string loop = error_of("while true do end", limits);
  EXPECT_NE(loop.find("did not finish within its time budget"), std::string::npos) << loop;
  limits.memory_bytes = 16u << 20;
  limits.seconds = 10;
  std::string mem = error_of("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end", limits);
  EXPECT_NE(mem.find("MiB of memory"), std::string::npos) << mem;
}

TEST(LuaConfig, ConfigCannotRunPrograms) {
  std::string e = error_of("os.execute('touch /tmp/pushcap-pwned')\nreturn {}");
  EXPECT_NE(e.find("execute"), std::string::npos) << e;
}

TEST(NearestName, SuggestsOnlyCloseNames) {
  EXPECT_EQ(config::nearest_name("Spilt", {"Split", "Desc"}), "Split");
  EXPECT_EQ(config::nearest_name("filterbpf", {"FilterBPF", "FilterFrame"}), "FilterBPF");
  EXPECT_EQ(config::nearest_name("Zebra", {"Split", "Desc"}), "");
}

}  // namespace
}  // namespace pushcap::test
