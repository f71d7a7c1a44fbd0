#include "filter/frame_filter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <string_view>

namespace pushcap::filter {
namespace {

struct KeyInfo {
  const char* name;
  decap::TagKey key;
  std::uint64_t max;  // largest value the field can hold
};

constexpr KeyInfo kKeys[] = {
    {"capture.port", decap::TagKey::kCapturePort, 0xffffffffu},
    {"a7130.srcdevice", decap::TagKey::kA7130SrcDevice, 0xffffu},
    {"a7130.srcport", decap::TagKey::kA7130SrcPort, 0xffu},
    {"c3550.srcport", decap::TagKey::kC3550SrcPort, 0xffu},
    {"vlan.id", decap::TagKey::kVlanId, 0xfffu},
    {"mpls.label", decap::TagKey::kMplsLabel, 0xfffffu},
    {"gre.key", decap::TagKey::kGreKey, 0xffffffffu},
    {"erspan.session", decap::TagKey::kErspanSession, 0x3ffu},
    {"vxlan.vni", decap::TagKey::kVxlanVni, 0xffffffu},
    {"geneve.vni", decap::TagKey::kGeneveVni, 0xffffffu},
};
constexpr const char* kInterfaceKey = "capture.interface";

Error at(std::size_t column, const std::string& what) {
  return Error(Errc::kInvalidArgument, "at column " + std::to_string(column + 1) + ": " + what);
}

bool parse_number(std::string_view text, std::uint64_t& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string FrameFilter::known_keys() {
  std::string out = "capture.port, capture.interface";
  for (const KeyInfo& k : kKeys) {
    if (k.key != decap::TagKey::kCapturePort) out += std::string(", ") + k.name;
  }
  return out;
}

Result<FrameFilter> FrameFilter::parse(const std::string& expression) {
  FrameFilter f;
  const std::string_view text = expression;
  std::size_t i = 0;
  for (;;) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    if (i == text.size()) break;
    std::size_t key_end = i;
    while (key_end < text.size() && (std::isalnum(static_cast<unsigned char>(text[key_end])) != 0 ||
                                     text[key_end] == '.' || text[key_end] == '_')) {
      ++key_end;
    }
    const std::string key(text.substr(i, key_end - i));
    if (key.empty()) return fail(at(i, "expected a key such as vlan.id, found '" + std::string(1, text[i]) + "'"));
    Clause clause;
    const KeyInfo* info = nullptr;
    if (key == kInterfaceKey) {
      clause.name_key = true;
    } else {
      auto it = std::find_if(std::begin(kKeys), std::end(kKeys), [&](const KeyInfo& k) { return key == k.name; });
      if (it == std::end(kKeys)) return fail(at(i, "unknown key '" + key + "' (keys: " + known_keys() + ")"));
      info = &*it;
      clause.key = info->key;
    }
    i = key_end;
    if (text.substr(i, 2) == "==") {
      clause.negated = false;
    } else if (text.substr(i, 2) == "!=") {
      clause.negated = true;
    } else {
      return fail(at(i, "expected == or != after '" + key + "'"));
    }
    i += 2;
    // Values: a comma list up to the next space.
    for (;;) {
      std::size_t v_end = i;
      while (v_end < text.size() && text[v_end] != ',' && std::isspace(static_cast<unsigned char>(text[v_end])) == 0) {
        ++v_end;
      }
      const std::string_view value = text.substr(i, v_end - i);
      if (value.empty()) return fail(at(i, "expected a value for '" + key + "'"));
      if (clause.name_key) {
        clause.names.emplace_back(value);
      } else {
        std::uint64_t n = 0;
        if (!parse_number(value, n)) {
          return fail(at(i, "'" + std::string(value) + "' is not a number (decimal or 0x hex) for '" + key + "'"));
        }
        if (n > info->max) {
          return fail(at(i, std::string(value) + " is out of range for '" + key + "' (at most " +
                                std::to_string(info->max) + ")"));
        }
        clause.values.push_back(static_cast<std::uint32_t>(n));
      }
      i = v_end;
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (clause.name_key) {
      f.needs_name_ = true;
    } else if (clause.key != decap::TagKey::kCapturePort) {
      f.needs_layers_ = true;
    }
    f.clauses_.push_back(std::move(clause));
  }
  return f;
}

bool FrameFilter::match(const decap::FrameTags& tags, const std::string& interface_name) const {
  if (clauses_.empty()) return true;
  for (const Clause& c : clauses_) {
    bool listed = false;
    if (c.name_key) {
      listed = std::find(c.names.begin(), c.names.end(), interface_name) != c.names.end();
    } else {
      for (int t = 0; t < tags.count && !listed; ++t) {
        if (tags.items[t].key != c.key) continue;
        listed = std::find(c.values.begin(), c.values.end(), tags.items[t].value) != c.values.end();
      }
    }
    if (listed != c.negated) return true;
  }
  return false;
}

}  // namespace pushcap::filter
