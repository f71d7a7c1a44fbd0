#include "capture/input_list.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/fd.h"

namespace pushcap::capture {

Result<std::vector<Input>> expand_inputs(const std::vector<std::string>& args) {
  std::vector<Input> out;
  for (const auto& arg : args) {
    if (arg == "-") {
      out.push_back({"<stdin>", true, false, 0});
      continue;
    }
    struct stat st {};
    if (::stat(arg.c_str(), &st) != 0) return fail(Errc::kInvalidArgument, "input " + arg + ": " + errno_text(errno));
    if (S_ISDIR(st.st_mode)) {
      std::vector<std::string> names;
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.' || name.ends_with(".pending")) continue;
        std::error_code type_ec;
        if (!entry.is_regular_file(type_ec)) continue;
        names.push_back(name);
      }
      if (ec) return fail(Errc::kInvalidArgument, "input directory " + arg + ": " + ec.message());
      std::sort(names.begin(), names.end());
      std::string dir = arg.ends_with('/') ? arg : arg + "/";
      for (const auto& name : names) {
        struct stat fst {};
        std::string path = dir + name;
        if (::stat(path.c_str(), &fst) != 0) continue;
        out.push_back({path, false, true, static_cast<std::uint64_t>(fst.st_size)});
      }
      continue;
    }
    out.push_back({arg, false, false, S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0});
  }
  return out;
}

}  // namespace pushcap::capture
