#include "split/split_flags.h"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace pushcap::split {
namespace {

const std::map<std::string, NameLayout>& layout_flags() {
  static const std::map<std::string, NameLayout> m = {
      {"--filename-epoch-sec", NameLayout::kEpochSec},
      {"--filename-epoch-sec-startend", NameLayout::kEpochSecStartEnd},
      {"--filename-epoch-msec", NameLayout::kEpochMsec},
      {"--filename-epoch-usec", NameLayout::kEpochUsec},
      {"--filename-epoch-nsec", NameLayout::kEpochNsec},
      {"--filename-tstr-HHMM", NameLayout::kTstrHHMM},
      {"--filename-tstr-HHMMSS", NameLayout::kTstrHHMMSS},
      {"--filename-tstr-HHMMSS_NS", NameLayout::kTstrHHMMSS_NS},
      {"--filename-tstr-HHMMSS_SUB", NameLayout::kTstrHHMMSS_SUB},
      {"--filename-tstr-HHMMSS_TZ", NameLayout::kTstrHHMMSS_TZ},
  };
  return m;
}

// Flags of the original's appliance plumbing, done another way here: what to use instead.
std::string instead_of(const std::string& flag) {
  if (flag == "--rclone") return "set Mode = \"RCLONE\" on the target instead";
  if (flag == "--ring" || flag == "--roll-period") {
    return "it reads the original appliance's capture ring; pushcap follows its own capture store with "
           "`pushcap run --store DIR` (or rolling files with --follow DIR)";
  }
  return "";
}

Result<Owner> parse_owner(const std::string& text) {
  Owner owner;
  owner.text = text;
  std::string user_name = text;
  std::string group_name;
  auto sep = text.find_first_of(":.");
  if (sep != std::string::npos) {
    user_name = text.substr(0, sep);
    group_name = text.substr(sep + 1);
  }
  auto numeric = [](const std::string& s, unsigned& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  unsigned id = 0;
  if (numeric(user_name, id)) {
    owner.uid = id;
  } else if (passwd* pw = getpwnam(user_name.c_str()); pw != nullptr) {
    owner.uid = pw->pw_uid;
  } else {
    return fail(Errc::kInvalidArgument, "-Z " + text + ": no such user '" + user_name + "'");
  }
  if (!group_name.empty()) {
    if (numeric(group_name, id)) {
      owner.gid = id;
    } else if (struct group* gr = getgrnam(group_name.c_str()); gr != nullptr) {
      owner.gid = gr->gr_gid;
    } else {
      return fail(Errc::kInvalidArgument, "-Z " + text + ": no such group '" + group_name + "'");
    }
    owner.set_gid = true;
  }
  return owner;
}

}  // namespace

std::string layout_flag(const SplitSpec& spec) {
  if (spec.layout == NameLayout::kStrftime) return "--filename-strftime \"" + spec.strftime + "\"";
  for (const auto& [flag, layout] : layout_flags()) {
    if (layout == spec.layout) return flag;
  }
  return "?";
}

Result<std::vector<std::string>> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '\'') {
      auto close = text.find('\'', i + 1);
      if (close == std::string::npos) return fail(Errc::kInvalidArgument, "unterminated ' in: " + text);
      cur += text.substr(i + 1, close - i - 1);
      i = close;
      in_word = true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) ++j;
        cur += text[j];
      }
      if (j >= text.size()) return fail(Errc::kInvalidArgument, "unterminated \" in: " + text);
      i = j;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      in_word = true;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

Result<std::uint64_t> parse_count(const std::string& text) {
  const char* b = text.data();
  const char* e = b + text.size();
  std::uint64_t whole = 0;
  auto [p, ec] = std::from_chars(b, e, whole);
  if (ec == std::errc() && p == e && !text.empty()) {
    if (whole == 0 || whole >= (std::uint64_t{1} << 63)) {
      return fail(Errc::kInvalidArgument, "'" + text + "' must be a positive number below 2^63");
    }
    return whole;
  }
  // Scientific notation as the original documents it ("60e9").
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(v)) {
    return fail(Errc::kInvalidArgument, "'" + text + "' is not a number");
  }
  if (v < 1 || v >= 9.2e18 || std::floor(v) != v) {
    return fail(Errc::kInvalidArgument, "'" + text + "' must be a whole, positive number below 2^63");
  }
  return static_cast<std::uint64_t>(v);
}

bool split_flag_takes_value(const std::string& flag) {
  static const std::set<std::string> with_value = {
      "--split-time", "--split-byte", "--split-packet", "--filename-strftime", "--filename-suffix",
      "-o",           "-Z",           "--script-close", "--script-post",       "--pipe-cmd",
      "--compress",   "--ring",       "--roll-period"};
  return with_value.count(flag) != 0;
}

const std::vector<std::string>& known_split_flags() {
  static const std::vector<std::string> flags = [] {
    std::vector<std::string> f = {
        "--split-time", "--split-byte", "--split-packet", "--filename-strftime", "--filename-utc", "--filename-suffix",
        "-o",           "-Z",           "--script-close", "--script-post",       "--pipe-cmd",     "--compress"};
    for (const auto& [flag, layout] : layout_flags()) f.push_back(flag);
    return f;
  }();
  return flags;
}

Result<void> apply_split_flags(const std::vector<std::string>& args, SplitSpec& spec) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return fail(Errc::kInvalidArgument, flag + " needs a value");
      return args[++i];
    };
    auto count = [&](std::uint64_t& out) -> Result<void> {
      auto v = value();
      if (!v) return fail(v.error());
      auto n = parse_count(*v);
      if (!n) return fail(n.error().context(flag));
      out = *n;
      return {};
    };
    Result<void> r;
    if (flag == "--split-time") {
      r = count(spec.time_ns);
    } else if (flag == "--split-byte") {
      r = count(spec.bytes);
      if (r && spec.bytes < 24 + 16)
        r = fail(Errc::kInvalidArgument, "--split-byte must be at least 40 (the file and one record header)");
    } else if (flag == "--split-packet") {
      r = count(spec.packets);
    } else if (auto it = layout_flags().find(flag); it != layout_flags().end()) {
      spec.layout = it->second;
    } else if (flag == "--filename-strftime") {
      auto v = value();
      if (!v) return fail(v.error());
      if (v->empty()) return fail(Errc::kInvalidArgument, "--filename-strftime needs a non-empty pattern");
      spec.layout = NameLayout::kStrftime;
      spec.strftime = *v;
    } else if (flag == "--filename-utc") {
      spec.utc = true;
    } else if (flag == "--filename-suffix") {
      auto v = value();
      if (!v) return fail(v.error());
      if (v->find('/') != std::string::npos)
        return fail(Errc::kInvalidArgument, "--filename-suffix must not contain '/'");
      spec.suffix = *v;
    } else if (flag == "-o") {
      auto v = value();
      if (!v) return fail(v.error());
      spec.output_prefix = *v;
    } else if (flag == "-Z") {
      auto v = value();
      if (!v) return fail(v.error());
      auto owner = parse_owner(*v);
      if (!owner) return fail(owner.error());
      spec.owner = *owner;
    } else if (flag == "--script-close" || flag == "--script-post" || flag == "--pipe-cmd" || flag == "--compress") {
      auto v = value();
      if (!v) return fail(v.error());
      if (v->empty()) return fail(Errc::kInvalidArgument, flag + " needs a non-empty value");
      std::string& field = flag == "--script-close"  ? spec.script_close
                           : flag == "--script-post" ? spec.script_post
                           : flag == "--pipe-cmd"    ? spec.pipe_cmd
                                                     : spec.compress;
      field = *v;
    } else if (!instead_of(flag).empty()) {
      r = fail(Errc::kUnsupported, flag + " is not a pushcap flag: " + instead_of(flag));
    } else {
      r = fail(Errc::kInvalidArgument, "unknown flag '" + flag + "'");
    }
    if (!r) return r;
  }
  return {};
}

}  // namespace pushcap::split
