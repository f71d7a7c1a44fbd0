#pragma once
// The push configuration as plain structs: what the Lua file said, checked and resolved.
// Lua never leaks past this folder (STYLE.md).

#include <cstdint>
#include <string>
#include <vector>

#include "config/schedule.h"
#include "decap/frame_pipeline.h"
#include "encode/compression.h"
#include "split/split_spec.h"

namespace pushcap::config {

/// Where a target's files go.
enum class Mode { kFile, kRclone };

/// Where and how an RCLONE target uploads (docs/USER_GUIDE.md, Endpoints).
struct RcloneTarget {
  std::string config;              ///< the rclone config file (RcloneConfig)
  std::vector<std::string> flags;  ///< extra rclone flags (RcloneFlags)
  std::string spool_dir;           ///< this target's spool folder (SpoolDir/<Desc>)
  std::uint64_t spool_limit = 0;   ///< bytes the spool may hold before the reader waits (SpoolLimit)
  bool stream = false;             ///< Upload = "stream": rclone rcat, no local copy
  int retry_max_delay = 60;        ///< seconds: the backoff's cap (RetryMaxDelay)
  int timeout = 30;                ///< seconds: rclone's --timeout (RcloneTimeout)
  int transfers = 2;               ///< splits uploaded at once (Transfers)
  bool operator==(const RcloneTarget&) const = default;
};

/// One push target (one entry of Config.Target).
struct TargetConfig {
  std::string desc;                 ///< Desc: names the target and its log
  Mode mode = Mode::kFile;          ///< Mode
  std::string path;                 ///< Path as written
  std::string prefix;               ///< Path after the prefix rule (split::prefix_from_path)
  std::string split;                ///< Split as written ("--split-time 60e9")
  std::string file_name;            ///< FileName as written
  std::string split_cmd;            ///< SplitCmd as written
  std::string filter_bpf;           ///< FilterBPF ("" = everything)
  std::string filter_frame;         ///< FilterFrame ("" = everything; checked by filter::FrameFilter)
  decap::DecapOptions decap;        ///< Decap, Trailer, TrailerFCS, HWTimestamp, SrcMacTimestamp, VXLANPorts
  split::SplitSpec spec;            ///< Split + FileName + SplitCmd parsed (spec.suffix: FileSuffix or the codec's)
  encode::Compression compression;  ///< Compress (or SplitCmd --compress)
  std::string pipe_cmd;             ///< PipeCmd (or SplitCmd --pipe-cmd)
  std::string post;                 ///< Post (or SplitCmd --script-post)
  std::string script_close;         ///< ScriptClose (or SplitCmd --script-close)
  RcloneTarget rclone;              ///< Mode = "RCLONE" only
  /// Same settings: a reload keeps such a target running untouched.
  bool operator==(const TargetConfig&) const = default;
};

/// A whole config file.
struct PushConfig {
  std::string file;                   ///< the path it was loaded from
  std::vector<TargetConfig> targets;  ///< Config.Target, in order
  bool follow_start = false;          ///< Config.FollowStart (realtime mode: start of stream)
  Schedule schedule;                  ///< Config.Schedule (+ ScheduleUTC): when a realtime push runs
  std::string log_dir;                ///< Config.LogDir ("" = not set)
  int script_timeout = 600;           ///< Config.ScriptTimeout: seconds a close or Post script may run
  int script_workers = 2;             ///< Config.ScriptWorkers: scripts running at once
  std::vector<std::string> warnings;  ///< legal but probably unintended (two targets, one prefix)
};

}  // namespace pushcap::config
