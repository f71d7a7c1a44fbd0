#pragma once
// Helpers that build capture bytes in memory for the unit tests.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace pushcap::test {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v, bool be = false) {
  for (int i = 0; i < 2; ++i) b.push_back(static_cast<std::uint8_t>(v >> (be ? 8 * (1 - i) : 8 * i)));
}
inline void put32(Bytes& b, std::uint32_t v, bool be = false) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (be ? 8 * (3 - i) : 8 * i)));
}
inline void put64(Bytes& b, std::uint64_t v, bool be = false) {
  if (be) {
    put32(b, static_cast<std::uint32_t>(v >> 32), true);
    put32(b, static_cast<std::uint32_t>(v), true);
  } else {
    put32(b, static_cast<std::uint32_t>(v));
    put32(b, static_cast<std::uint32_t>(v >> 32));
  }
}

/// A classic pcap file header.
inline Bytes pcap_header(bool nano = false, bool be = false, std::uint32_t snaplen = 65535,
                         std::uint32_t linktype = 1) {
  Bytes b;
  put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
  put16(b, 2, be);
  put16(b, 4, be);
  put32(b, 0, be);
  put32(b, 0, be);
  put32(b, snaplen, be);
  put32(b, linktype, be);
  return b;
}

/// Appends a classic pcap record with `len` bytes of `fill`.
inline void pcap_record(Bytes& b, std::uint32_t sec, std::uint32_t frac, std::uint32_t len, std::uint8_t fill = 0xAB,
                        bool be = false) {
  put32(b, sec, be);
  put32(b, frac, be);
  put32(b, len, be);
  put32(b, len, be);
  b.insert(b.end(), len, fill);
}

/// A pcapng block: type, body, lengths.
inline Bytes ng_block(std::uint32_t type, const Bytes& body, bool be = false) {
  Bytes b;
  std::uint32_t len = static_cast<std::uint32_t>(12 + body.size());
  put32(b, type, be);
  put32(b, len, be);
  b.insert(b.end(), body.begin(), body.end());
  put32(b, len, be);
  return b;
}

inline Bytes ng_section(bool be = false, std::uint16_t major = 1, std::uint16_t minor = 0) {
  Bytes body;
  put32(body, 0x1A2B3C4D, be);
  put16(body, major, be);
  put16(body, minor, be);
  put64(body, ~std::uint64_t{0}, be);
  return ng_block(0x0A0D0D0A, body, be);
}

/// An interface description block; tsresol < 0 means "no option".
inline Bytes ng_interface(std::uint16_t linktype, std::uint32_t snaplen, int tsresol = -1, bool be = false) {
  Bytes body;
  put16(body, linktype, be);
  put16(body, 0, be);
  put32(body, snaplen, be);
  if (tsresol >= 0) {
    put16(body, 9, be);
    put16(body, 1, be);
    body.push_back(static_cast<std::uint8_t>(tsresol));
    body.insert(body.end(), 3, 0);
    put16(body, 0, be);
    put16(body, 0, be);
  }
  return ng_block(1, body, be);
}

inline Bytes ng_packet(std::uint32_t iface, std::uint64_t ts_units, std::uint32_t len, std::uint8_t fill = 0xCD,
                       bool be = false) {
  Bytes body;
  put32(body, iface, be);
  put32(body, static_cast<std::uint32_t>(ts_units >> 32), be);
  put32(body, static_cast<std::uint32_t>(ts_units), be);
  put32(body, len, be);
  put32(body, len, be);
  body.insert(body.end(), len, fill);
  body.insert(body.end(), (4 - len % 4) % 4, 0);
  return ng_block(6, body, be);
}

inline Bytes ng_simple(std::uint32_t len, std::uint8_t fill = 0xEF) {
  Bytes body;
  put32(body, len);
  body.insert(body.end(), len, fill);
  body.insert(body.end(), (4 - len % 4) % 4, 0);
  return ng_block(3, body);
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// A fresh temporary directory, removed by the caller's TearDown if wanted.
inline std::string temp_dir() {
  char tmpl[] = "/tmp/pushcap-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  return d != nullptr ? std::string(d) : std::string("/tmp");
}

/// A temporary directory removed with everything in it when it goes out of scope.
struct TempDir {
  std::string path = temp_dir();
  TempDir() = default;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  [[nodiscard]] std::string operator/(const std::string& name) const { return path + "/" + name; }
};

}  // namespace pushcap::test
