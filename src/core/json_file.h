#pragma once
// Small JSON files pushcap keeps beside its data (checkpoints, segment indexes, stream and
// retention descriptions, spool records, status.json): read whole, bounded in size, and decoded
// into structs with every failure an Error that names the file. One way to do it, used
// everywhere, so a damaged or unreadable file is never taken for defaults without a word.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pushcap {

/// Reads `path` and parses it as a JSON object. `what` names the file's role in errors ("checkpoint",
/// "segment index"). Errors: kNotFound when the file does not exist, kIo when it cannot be read,
/// kDamagedCapture when it is larger than `max_bytes` or not a JSON object.
Result<nlohmann::ordered_json> read_json_file(const std::string& path, std::string_view what,
                                              std::size_t max_bytes = std::size_t{1} << 20);

/// As read_json_file, but a file that does not exist is no error: nullopt.
Result<std::optional<nlohmann::ordered_json>> read_json_file_if_present(const std::string& path, std::string_view what,
                                                                        std::size_t max_bytes = std::size_t{1} << 20);

/// Parses `text` (the contents of `path`) as a JSON object, with the same errors.
Result<nlohmann::ordered_json> parse_json_object(const std::string& text, const std::string& path,
                                                 std::string_view what);

/// Runs `decode(json)`, turning a missing field or a field of the wrong type (nlohmann's
/// exceptions) into an Error naming `path` and `what`.
template <class T, class Decode>
Result<T> decode_json(const nlohmann::ordered_json& json, const std::string& path, std::string_view what,
                      Decode&& decode) {
  try {
    return decode(json);
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::kDamagedCapture, path + ": not a valid " + std::string(what) + " (" + e.what() + ")");
  }
}

}  // namespace pushcap
