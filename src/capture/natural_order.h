#pragma once
// The order rolling capture files are written in: names compared with runs of digits as
// numbers, so "cap", "cap1", "cap2", "cap10" and "x_00009_2024..." sort as their writers made them.

#include <string>

namespace pushcap::capture {

/// True when `a` comes before `b` in natural order.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace pushcap::capture
