#include "hooks/split_scripts.h"

namespace pushcap::hooks {

std::vector<std::string> split_environment(const std::string& target, const split::FinishedSplit& s) {
  return {"PUSHCAP_TARGET=" + target,
          "PUSHCAP_FILE=" + s.path,
          "PUSHCAP_REMOTE=" + s.remote,
          "PUSHCAP_BYTES=" + std::to_string(s.bytes),
          "PUSHCAP_FILE_BYTES=" + std::to_string(s.file_bytes),
          "PUSHCAP_PACKETS=" + std::to_string(s.packets),
          "PUSHCAP_FIRST_TS=" + std::to_string(s.first_ts),
          "PUSHCAP_LAST_TS=" + std::to_string(s.last_ts),
          "PUSHCAP_START_TS=" + std::to_string(s.start_ts),
          "PUSHCAP_END_TS=" + std::to_string(s.end_ts)};
}

ScriptRun close_script_run(const std::string& command, const std::string& target, const split::FinishedSplit& s) {
  ScriptRun run;
  run.kind = "close script";
  run.command = command;
  run.args = {s.final_name(),
              std::to_string(s.bytes),
              std::to_string(s.packets),
              std::to_string(s.wall_ns),
              std::to_string(s.last_ts - s.first_ts),
              std::to_string(s.start_ts),
              std::to_string(s.end_ts),
              std::to_string(s.first_ts),
              std::to_string(s.last_ts),
              std::to_string(s.closing_ts)};
  run.env = split_environment(target, s);
  return run;
}

ScriptRun post_script_run(const std::string& command, const std::string& target, const split::FinishedSplit& s) {
  ScriptRun run;
  run.kind = "Post script";
  run.command = command;
  run.args = {s.path};
  run.env = split_environment(target, s);
  return run;
}

}  // namespace pushcap::hooks
