#include "stackprint/base/byte_reader.hpp"

#include <array>

#include <gtest/gtest.h>

#include "stackprint/base/byte_writer.hpp"

namespace stackprint {
namespace {

TEST(ByteReader, ReadsBigEndianAndAdvances) {
  const std::array<std::uint8_t, 9> bytes{0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x01};
  ByteReader in(bytes);
  EXPECT_EQ(*in.read_u16("a"), 0x1234);
  EXPECT_EQ(*in.read_u32("b"), 0x56789ABCU);
  EXPECT_EQ(*in.read_u8("c"), 0xDE);
  EXPECT_EQ(in.offset(), 7U);
  EXPECT_EQ(in.remaining(), 2U);
  auto rest = in.read_rest();
  ASSERT_EQ(rest.size(), 2U);
  EXPECT_EQ(rest[0], 0xF0);
  EXPECT_TRUE(in.empty());
}

TEST(ByteReader, TruncatedReadFailsWithFieldAndOffsetWithoutAdvancing) {
  const std::array<std::uint8_t, 3> bytes{1, 2, 3};
  ByteReader in(bytes, 20);
  ASSERT_TRUE(in.read_u8("first").has_value());
  auto value = in.read_u32("tcp sequence");
  ASSERT_FALSE(value.has_value());
  EXPECT_NE(value.error().message.find("tcp sequence"), std::string::npos);
  EXPECT_NE(value.error().message.find("offset 21"), std::string::npos);
  EXPECT_EQ(in.offset(), 21U); // a failed read consumes nothing
  EXPECT_EQ(*in.read_u16("rest"), 0x0203);
  EXPECT_FALSE(in.read_u8("past end").has_value());
  EXPECT_FALSE(in.read_bytes(1, "past end").has_value());
  EXPECT_TRUE(in.read_bytes(0, "nothing").has_value());
}

TEST(ByteReader, LoadsReturnZeroOutOfRange) {
  const std::array<std::uint8_t, 4> bytes{0xAA, 0xBB, 0xCC, 0xDD};
  EXPECT_EQ(load_u16_be(bytes, 2), 0xCCDD);
  EXPECT_EQ(load_u32_be(bytes, 0), 0xAABBCCDDU);
  EXPECT_EQ(load_u16_be(bytes, 3), 0);
  EXPECT_EQ(load_u32_be(bytes, 1), 0U);
  EXPECT_EQ(load_u16_be(bytes, 100), 0);
}

TEST(ByteWriter, WritesBigEndianAndPatches) {
  ByteWriter out;
  out.write_u8(0x01);
  out.write_u16(0x0203);
  out.write_u32(0x04050607);
  out.write_fill(2, 0x43);
  out.patch_u16(1, 0xBEEF);
  const std::vector<std::uint8_t> expected{0x01, 0xBE, 0xEF, 0x04, 0x05, 0x06, 0x07, 0x43, 0x43};
  EXPECT_EQ(std::move(out).take(), expected);
}

TEST(ByteWriter, PatchOutsideWrittenBytesThrows) {
  ByteWriter out;
  out.write_u16(1);
  EXPECT_THROW(out.patch_u16(1, 0), std::out_of_range);
  EXPECT_THROW(out.patch_u16(5, 0), std::out_of_range);
}

} // namespace
} // namespace stackprint
