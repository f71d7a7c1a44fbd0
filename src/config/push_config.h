#pragma once
// The push configuration as plain structs: what the Lua file said, checked and resolved.
// Lua never leaks past this folder (STYLE.md).

#include <string>
#include <vector>

#include "decap/frame_pipeline.h"
#include "split/split_spec.h"

namespace pushcap::config {

/// Where a target's files go.
enum class Mode { kFile, kRclone };

/// One push target (one entry of Config.Target).
struct TargetConfig {
  std::string desc;           ///< Desc: names the target and its log
  Mode mode = Mode::kFile;    ///< Mode
  std::string path;           ///< Path as written
  std::string prefix;         ///< Path after the prefix rule (split::prefix_from_path)
  std::string split;          ///< Split as written ("--split-time 60e9")
  std::string file_name;      ///< FileName as written
  std::string split_cmd;      ///< SplitCmd as written
  std::string filter_bpf;     ///< FilterBPF ("" = everything)
  std::string filter_frame;   ///< FilterFrame ("" = everything; checked by filter::FrameFilter)
  decap::DecapOptions decap;  ///< Decap, Trailer, TrailerFCS, HWTimestamp, SrcMacTimestamp, VXLANPorts
  split::SplitSpec spec;      ///< Split + FileName + SplitCmd parsed
};

/// A whole config file.
struct PushConfig {
  std::string file;                   ///< the path it was loaded from
  std::vector<TargetConfig> targets;  ///< Config.Target, in order
  bool follow_start = false;          ///< Config.FollowStart (realtime mode: start of stream)
  std::string log_dir;                ///< Config.LogDir ("" = not set)
  std::vector<std::string> warnings;  ///< legal but probably unintended (two targets, one prefix)
};

}  // namespace pushcap::config
