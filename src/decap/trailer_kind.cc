#include "decap/trailer.h"

namespace pushcap::decap {

const char* trailer_kind_name(TrailerKind kind) {
  switch (kind) {
    case TrailerKind::kNone:
      return "none";
    case TrailerKind::kA7130:
      return "a7130";
    case TrailerKind::kC3550:
      return "c3550";
    case TrailerKind::kA7150:
      return "a7150";
  }
  return "none";
}

std::optional<TrailerKind> parse_trailer_kind(std::string_view name) {
  if (name.empty() || name == "none") return TrailerKind::kNone;
  if (name == "a7130" || name == "metamako") return TrailerKind::kA7130;
  if (name == "c3550" || name == "exablaze") return TrailerKind::kC3550;
  if (name == "a7150") return TrailerKind::kA7150;
  return std::nullopt;
}

std::string trailer_kind_names() {
  return "a7130 (or metamako), c3550 (or exablaze), a7150, none";
}

}  // namespace pushcap::decap
