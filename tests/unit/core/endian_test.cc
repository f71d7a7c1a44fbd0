#include <gtest/gtest.h>

#include "core/endian.h"

namespace pushcap {
namespace {

TEST(Endian, LoadsAndStores) {
  const std::uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(load_le<std::uint32_t>(b), 0x04030201u);
  EXPECT_EQ(load<std::uint32_t>(b, true), 0x01020304u);
  EXPECT_EQ(load<std::uint16_t>(b + 1, true), 0x0203u);
  EXPECT_EQ(byte_swap<std::uint64_t>(0x0102030405060708ull), 0x0807060504030201ull);
  std::uint8_t out[4];
  store_le<std::uint32_t>(out, 0xA1B2C3D4u);
  EXPECT_EQ(out[0], 0xD4);
  EXPECT_EQ(out[3], 0xA1);
}

}  // namespace
}  // namespace pushcap
