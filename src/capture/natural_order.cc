#include "capture/natural_order.h"

namespace pushcap::capture {
namespace {
bool digit(char c) {
  return c >= '0' && c <= '9';
}
}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      // Compare the digit runs as numbers: skip leading zeros, then the longer run is larger.
      std::size_t i0 = i, j0 = j;
      while (i0 < a.size() && a[i0] == '0') ++i0;
      while (j0 < b.size() && b[j0] == '0') ++j0;
      std::size_t i1 = i0, j1 = j0;
      while (i1 < a.size() && digit(a[i1])) ++i1;
      while (j1 < b.size() && digit(b[j1])) ++j1;
      if (i1 - i0 != j1 - j0) return i1 - i0 < j1 - j0;
      for (std::size_t k = 0; k < i1 - i0; ++k) {
        if (a[i0 + k] != b[j0 + k]) return a[i0 + k] < b[j0 + k];
      }
      if (i1 - i != j1 - j) return i1 - i < j1 - j;  // same number: fewer leading zeros first
      i = i1;
      j = j1;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace pushcap::capture
