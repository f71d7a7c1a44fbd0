#pragma once
// Turns the inputs a user named (files, directories, "-" for stdin) into an ordered list.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pushcap::capture {

/// One capture stream to read.
struct Input {
  std::string path;  ///< as given, or "<stdin>"
  bool is_stdin = false;
  bool from_directory = false;  ///< found by listing a directory (non-captures there are skipped)
  std::uint64_t size = 0;       ///< bytes, when known (regular files)
};

/// Expands `args` in order: a file as itself, a directory as its regular files in name order
/// (hidden and ".pending" files left out), "-" as stdin. Fails on a name that does not exist.
Result<std::vector<Input>> expand_inputs(const std::vector<std::string>& args);

}  // namespace pushcap::capture
