#include "core/pcap_format.h"

#include "core/endian.h"

namespace pushcap::pcap {
namespace {

template <class T>
void put(std::uint8_t* at, T value, bool big_endian) {
  if (big_endian) {
    store_be<T>(at, value);
  } else {
    store_le<T>(at, value);
  }
}

}  // namespace

void write_file_header(const FileHeader& header, std::uint8_t* out) {
  const bool be = header.big_endian;
  put<std::uint32_t>(out, header.nano ? kMagicNano : kMagicMicro, be);
  put<std::uint16_t>(out + 4, kVersionMajor, be);
  put<std::uint16_t>(out + 6, kVersionMinor, be);
  put<std::uint32_t>(out + 8, 0, be);   // thiszone: always 0
  put<std::uint32_t>(out + 12, 0, be);  // sigfigs: always 0
  put<std::uint32_t>(out + kSnaplenOffset, header.snaplen == 0 ? kMaxSnaplen : header.snaplen, be);
  put<std::uint32_t>(out + 20, header.linktype, be);
}

}  // namespace pushcap::pcap
