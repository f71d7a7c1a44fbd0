#include "push/target_log.h"

#include <cstdio>

#include <fmt/format.h>

namespace pushcap::push {

void TargetLog::line(std::string_view text) const {
  if (logs_.target != nullptr) logs_.target->line(text);
}

void TargetLog::event(std::string_view json) const {
  if (logs_.target != nullptr) logs_.target->json(json);
  if (logs_.main != nullptr) logs_.main->json(json);
}

void TargetLog::say(const char* kind, const std::string& message, bool in_target_log) const {
  const std::string text = fmt::format("target '{}': {}: {}", desc_, kind, message);
  if (in_target_log) line(text);
  if (logs_.main != nullptr) logs_.main->line(text);
  if (logs_.echo_stderr) std::fprintf(stderr, "pushcap: %s\n", text.c_str());
}

}  // namespace pushcap::push
