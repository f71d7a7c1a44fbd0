#include "config/target_output.h"

namespace pushcap::config {

Result<void> resolve_encoding(TargetConfig& t, const std::string& compress, const std::string& file_suffix) {
  if (t.pipe_cmd.empty()) t.pipe_cmd = t.spec.pipe_cmd;
  if (t.post.empty()) t.post = t.spec.script_post;
  if (t.script_close.empty()) t.script_close = t.spec.script_close;
  auto compression = encode::parse_compression(compress.empty() ? t.spec.compress : compress);
  if (!compression) return fail(compression.error().context("Compress"));
  t.compression = *compression;
  if (t.compression.active() && !t.pipe_cmd.empty()) {
    return fail(Errc::kInvalidArgument, "Compress and PipeCmd both compress: choose one");
  }
  if (!file_suffix.empty()) {
    if (file_suffix.find('/') != std::string::npos) {
      return fail(Errc::kInvalidArgument, "FileSuffix \"" + file_suffix + "\" must not contain '/'");
    }
    t.spec.suffix = file_suffix;
  } else if (t.compression.active() && t.spec.suffix == ".pcap") {
    t.spec.suffix += encode::compression_suffix(t.compression);
  }
  return {};
}

}  // namespace pushcap::config
