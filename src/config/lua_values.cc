#include "config/lua_values.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "config/nearest_name.h"
#include "split/split_flags.h"

namespace pushcap::config {

Result<std::string> as_string(lua_State* L, const ConfigContext& ctx, const std::string& where,
                              const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNIL) return std::string();
  if (t != LUA_TSTRING) {
    return fail(ctx.error(where, "field " + field + " must be a string, not a " + lua_typename(L, t)));
  }
  std::size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  return std::string(s, len);
}

Result<bool> as_bool(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNIL) return false;
  if (t != LUA_TBOOLEAN) {
    return fail(ctx.error(where, "field " + field + " must be true or false, not a " + lua_typename(L, t)));
  }
  return lua_toboolean(L, -1) != 0;
}

Result<std::string> as_text(lua_State* L, const ConfigContext& ctx, const std::string& where,
                            const std::string& field) {
  int t = lua_type(L, -1);
  if (t == LUA_TNUMBER) {
    if (lua_isinteger(L, -1)) return std::to_string(lua_tointeger(L, -1));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", lua_tonumber(L, -1));
    return std::string(buf);
  }
  return as_string(L, ctx, where, field);
}

std::string unknown_field_message(const std::string& key, const std::vector<std::string>& known) {
  std::string msg = "unknown field '" + key + "'";
  std::string near = nearest_name(key, known);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  return msg;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Result<std::uint64_t> parse_size(const std::string& text) {
  std::string digits = text;
  std::uint64_t unit = 1;
  if (!digits.empty()) {
    switch (std::toupper(static_cast<unsigned char>(digits.back()))) {
      case 'K':
        unit = 1ull << 10;
        break;
      case 'M':
        unit = 1ull << 20;
        break;
      case 'G':
        unit = 1ull << 30;
        break;
      case 'T':
        unit = 1ull << 40;
        break;
      default:
        break;
    }
    if (unit != 1) digits.pop_back();
  }
  auto n = split::parse_count(digits);
  if (!n) return fail(n.error());
  if (*n > (std::uint64_t{1} << 62) / unit) return fail(Errc::kInvalidArgument, "'" + text + "' is too large");
  return *n * unit;
}

}  // namespace pushcap::config
