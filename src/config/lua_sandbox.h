#pragma once
// The Lua state a config runs in: the safe part of the standard library (no io, no package, no
// os.execute/remove/rename/exit/tmpname/setlocale), a cap on the heap it may hold and a CPU-time budget, so a config
// that loops for ever or grows without end is stopped with a clear error instead of hanging or
// exhausting the service. Each state carries its own budget: loads on different threads (the
// first on the main thread, SIGHUP reloads on the status thread) share nothing.

#include <lua.hpp>

#include <cstddef>
#include <ctime>

#include "config/lua_config.h"

namespace pushcap::config {

class LuaSandbox {
 public:
  explicit LuaSandbox(const LuaLimits& limits);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* get() { return L_; }
  /// Ends the time budget (the script has run; converting its result is pushcap's own work).
  void stop_clock();
  [[nodiscard]] bool out_of_memory() const { return alloc_.exceeded; }
  [[nodiscard]] std::size_t memory_limit() const { return alloc_.limit; }

  struct Alloc {
    std::size_t used = 0;
    std::size_t limit = 0;
    bool exceeded = false;
  };

 private:
  Alloc alloc_;
  std::clock_t deadline_ = 0;
  lua_State* L_ = nullptr;
};

}  // namespace pushcap::config
