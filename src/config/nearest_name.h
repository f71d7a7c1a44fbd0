#pragma once
// "Did you mean ...?" for misspelt field names and flags.

#include <string>
#include <vector>

namespace pushcap::config {

/// The candidate closest to `word` by edit distance (case-insensitive), or "" if none is close.
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace pushcap::config
