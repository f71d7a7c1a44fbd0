#pragma once
// What a target's splitter does: when to close a split, how to name it. Parsed from the
// original's pcap_split flags (split_flags.h), so a config's Split/FileName/SplitCmd strings and
// `pushcap split` mean the same thing.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace pushcap::split {

/// The --filename-* layouts (DESIGN.md, Compatibility).
enum class NameLayout {
  kEpochSec,          ///< 1616334655
  kEpochSecStartEnd,  ///< 1616334655-1616334715
  kEpochMsec,         ///< epoch in ms
  kEpochUsec,         ///< epoch in µs
  kEpochNsec,         ///< epoch in ns
  kTstrHHMM,          ///< 20211201_2350
  kTstrHHMMSS,        ///< 20211201_235059 (the default)
  kTstrHHMMSS_NS,     ///< 20211201_235059.123.456.789
  kTstrHHMMSS_SUB,    ///< 20211201_23-50-59.123456789
  kTstrHHMMSS_TZ,     ///< 2021-12-01_23:50:59+08:00
  kStrftime,          ///< a user strftime pattern
};

/// Owner applied to each final file (-Z).
struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
  bool set_gid = false;  ///< false: only the user was named; the group stays
  std::string text;      ///< as written, for messages
  bool operator==(const Owner&) const = default;
};

/// A splitter's settings.
struct SplitSpec {
  std::uint64_t time_ns = 0;  ///< --split-time: period in ns (0 = off)
  std::uint64_t bytes = 0;    ///< --split-byte: file size limit incl. headers (0 = off)
  std::uint64_t packets = 0;  ///< --split-packet: packets per file (0 = off)
  NameLayout layout = NameLayout::kTstrHHMMSS;
  std::string strftime;  ///< pattern for kStrftime
  bool utc = false;      ///< --filename-utc: time strings in UTC instead of TZ
  std::string suffix = ".pcap";
  std::optional<std::string> output_prefix;  ///< -o, used literally
  std::optional<Owner> owner;                ///< -Z
  std::string script_close;                  ///< --script-close CMD: run on every finished split
  std::string script_post;                   ///< --script-post CMD: the Post script
  std::string pipe_cmd;                      ///< --pipe-cmd CMD: every split streams through it
  std::string compress;                      ///< --compress CODEC (gzip, zstd:3, lz4, ...)
  bool operator==(const SplitSpec&) const = default;
};

/// A readable form of the layout flag ("--filename-tstr-HHMMSS").
std::string layout_flag(const SplitSpec& spec);

}  // namespace pushcap::split
