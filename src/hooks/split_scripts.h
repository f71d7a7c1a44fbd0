#pragma once
// What a split's close script and Post script are called with: the original's ten arguments
// for the close script, the file's path for Post, and PUSHCAP_* environment variables with the
// split's facts for both (docs/USER_GUIDE.md, Scripts).

#include <string>
#include <vector>

#include "hooks/script_pool.h"
#include "split/finished_split.h"

namespace pushcap::hooks {

/// The close script's run: CMD FILE BYTES PACKETS WALL_NS SPAN_NS START END FIRST LAST CLOSING.
ScriptRun close_script_run(const std::string& command, const std::string& target, const split::FinishedSplit& s);
/// The Post script's run: CMD PATH (the local file).
ScriptRun post_script_run(const std::string& command, const std::string& target, const split::FinishedSplit& s);
/// The PUSHCAP_* variables for a split.
std::vector<std::string> split_environment(const std::string& target, const split::FinishedSplit& s);

}  // namespace pushcap::hooks
