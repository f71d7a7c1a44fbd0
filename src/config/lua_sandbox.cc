#include "config/lua_sandbox.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace pushcap::config {
namespace {

void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* st = static_cast<LuaSandbox::Alloc*>(ud);
  std::size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    st->used -= old;
    return nullptr;
  }
  if (nsize > old && st->used + (nsize - old) > st->limit) {
    st->exceeded = true;
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) st->used = st->used - old + nsize;
  return p;
}

// The state's deadline lives in its extra space (LUA_EXTRASPACE bytes before the lua_State).
std::clock_t* deadline_of(lua_State* L) {
  std::clock_t* d = nullptr;
  std::memcpy(&d, lua_getextraspace(L), sizeof d);
  return d;
}

void budget_hook(lua_State* L, lua_Debug*) {
  if (std::clock() > *deadline_of(L))
    luaL_error(L, "the config did not finish within its time budget (an endless loop?)");
}

}  // namespace

LuaSandbox::LuaSandbox(const LuaLimits& limits) {
  static_assert(LUA_EXTRASPACE >= sizeof(std::clock_t*));
  alloc_.limit = limits.memory_bytes;
  L_ = lua_newstate(limited_alloc, &alloc_);
  if (L_ == nullptr) throw std::runtime_error("cannot create a Lua state");
  luaL_requiref(L_, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L_, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L_, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L_, LUA_MATHLIBNAME, luaopen_math, 1);
  luaL_requiref(L_, LUA_UTF8LIBNAME, luaopen_utf8, 1);
  luaL_requiref(L_, LUA_OSLIBNAME, luaopen_os, 1);
  lua_settop(L_, 0);
  lua_getglobal(L_, "os");
  for (const char* unsafe : {"execute", "exit", "remove", "rename", "tmpname", "setlocale"}) {
    lua_pushnil(L_);
    lua_setfield(L_, -2, unsafe);
  }
  lua_pop(L_, 1);
  deadline_ = std::clock() + static_cast<std::clock_t>(limits.seconds * CLOCKS_PER_SEC);
  std::clock_t* d = &deadline_;
  std::memcpy(lua_getextraspace(L_), &d, sizeof d);
  lua_sethook(L_, budget_hook, LUA_MASKCOUNT, 10000);
}

LuaSandbox::~LuaSandbox() {
  lua_close(L_);
}

void LuaSandbox::stop_clock() {
  lua_sethook(L_, nullptr, 0, 0);
}

}  // namespace pushcap::config
