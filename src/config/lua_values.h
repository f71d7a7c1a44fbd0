#pragma once
// Reading one config field from the Lua stack, with errors that name the file, the place
// ("Config", "target 'dc1'") and the field.

#include <lua.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::config {

/// The config being converted: every error starts with its file.
struct ConfigContext {
  std::string file;
  [[nodiscard]] Error error(const std::string& where, const std::string& what) const {
    return Error(Errc::kInvalidArgument, file + ": " + where + ": " + what);
  }
};

/// The value on top of the stack as a string; nil gives "".
Result<std::string> as_string(lua_State* L, const ConfigContext& ctx, const std::string& where,
                              const std::string& field);
/// The value on top of the stack as true or false; nil gives false.
Result<bool> as_bool(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& field);
/// A string or a number on top of the stack as text (numbers as Lua writes them: 10e9 is
/// "10000000000", 1.5 is "1.5").
Result<std::string> as_text(lua_State* L, const ConfigContext& ctx, const std::string& where, const std::string& field);

/// "unknown field 'X'", with the nearest known name when one is close.
std::string unknown_field_message(const std::string& key, const std::vector<std::string>& known);
std::string lower(std::string s);
bool contains(const std::vector<std::string>& names, const std::string& name);

/// "10e9", "500G", "64M": bytes (K, M, G, T are powers of 1024).
Result<std::uint64_t> parse_size(const std::string& text);

}  // namespace pushcap::config
