#include "core/json_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/fd.h"

namespace pushcap {

Result<nlohmann::ordered_json> parse_json_object(const std::string& text, const std::string& path,
                                                 std::string_view what) {
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(Errc::kDamagedCapture, path + ": not a " + std::string(what) + " (not a JSON object)");
  }
  return j;
}

Result<nlohmann::ordered_json> read_json_file(const std::string& path, std::string_view what, std::size_t max_bytes) {
  auto fd = open_file(path, O_RDONLY | O_NOFOLLOW);
  if (!fd) return fail(fd.error().context("cannot read the " + std::string(what)));
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return fail(Errc::kIo, path + ": fstat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return fail(Errc::kDamagedCapture, path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return fail(Errc::kDamagedCapture, path + ": " + std::to_string(st.st_size) + " bytes, more than a " +
                                           std::string(what) + " can be (" + std::to_string(max_bytes) + ")");
  }
  // One byte more than allowed tells a file that grew past the bound since fstat.
  const std::size_t room = std::min(max_bytes, static_cast<std::size_t>(st.st_size) + 65536) + 1;
  std::string text(room, '\0');
  auto got = read_full(fd->get(), text.data(), text.size(), path);
  if (!got) return fail(got.error());
  if (*got > max_bytes) return fail(Errc::kDamagedCapture, path + ": larger than a " + std::string(what) + " can be");
  text.resize(*got);
  return parse_json_object(text, path, what);
}

Result<std::optional<nlohmann::ordered_json>> read_json_file_if_present(const std::string& path, std::string_view what,
                                                                        std::size_t max_bytes) {
  auto j = read_json_file(path, what, max_bytes);
  if (j) return std::optional<nlohmann::ordered_json>(std::move(*j));
  if (j.error().code() == Errc::kNotFound) return std::optional<nlohmann::ordered_json>();
  return fail(j.error());
}

}  // namespace pushcap
