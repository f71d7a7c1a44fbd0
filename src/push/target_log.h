#pragma once
// What one target says, and where: its own log (push_<Desc>_YYYYMMDD_HHMM), the main log, and
// stderr for warnings and errors when the run echoes them. Thread-safe (LogFile writes each line
// with one write).

#include <string>
#include <string_view>

#include "push/log_file.h"

namespace pushcap::push {

/// Where a target reports what it does; any pointer may be null.
struct TargetLogs {
  LogFile* target = nullptr;  ///< push_<Desc>_YYYYMMDD_HHMM
  LogFile* main = nullptr;    ///< the main log (split events as JSON)
  bool echo_stderr = false;   ///< also print warnings and errors on stderr
};

class TargetLog {
 public:
  TargetLog(std::string desc, TargetLogs logs) : desc_(std::move(desc)), logs_(logs) {}

  /// A line in the target's own log only.
  void line(std::string_view text) const;
  /// A JSON event in the target's log and the main log.
  void event(std::string_view json) const;
  /// "target 'Desc': KIND: message" into the main log and on stderr (when echoed), and into the
  /// target's log unless `in_target_log` is false (it already has the detail).
  void say(const char* kind, const std::string& message, bool in_target_log = true) const;
  void warn(const std::string& message) const { say("warning", message); }
  void error(const std::string& message) const { say("error", message); }
  /// The target's own log, if any.
  [[nodiscard]] LogFile* file() const { return logs_.target; }

 private:
  std::string desc_;
  TargetLogs logs_;
};

}  // namespace pushcap::push
