#pragma once
// Unaligned little- and big-endian loads and stores over raw bytes.

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace pushcap {

/// Reverses the bytes of an unsigned integer (byte_swap is C++23).
template <class T>
constexpr T byte_swap(T v) {
  static_assert(std::is_unsigned_v<T>);
  if constexpr (sizeof(T) == 1)
    return v;
  else if constexpr (sizeof(T) == 2)
    return static_cast<T>(__builtin_bswap16(v));
  else if constexpr (sizeof(T) == 4)
    return static_cast<T>(__builtin_bswap32(v));
  else
    return static_cast<T>(__builtin_bswap64(v));
}

/// Loads a T from p in host byte order; p need not be aligned.
template <class T>
inline T load_host(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// Loads a T from p, byte-swapped when `swap` is true.
template <class T>
inline T load(const std::uint8_t* p, bool swap) {
  T v = load_host<T>(p);
  return swap ? byte_swap(v) : v;
}

/// Loads a little-endian T from p.
template <class T>
inline T load_le(const std::uint8_t* p) {
  return load<T>(p, std::endian::native != std::endian::little);
}

/// Loads a big-endian (network order) T from p.
template <class T>
inline T load_be(const std::uint8_t* p) {
  return load<T>(p, std::endian::native != std::endian::big);
}

/// Stores v at p in big-endian (network) order.
template <class T>
inline void store_be(std::uint8_t* p, T v) {
  if constexpr (std::endian::native != std::endian::big) v = byte_swap(v);
  std::memcpy(p, &v, sizeof v);
}

/// Stores v at p in little-endian order.
template <class T>
inline void store_le(std::uint8_t* p, T v) {
  if constexpr (std::endian::native != std::endian::little) v = byte_swap(v);
  std::memcpy(p, &v, sizeof v);
}

}  // namespace pushcap
