#include "stackprint/base/ttl_guess.hpp"

#include <gtest/gtest.h>

namespace stackprint {
namespace {

TEST(InitialTtlGuess, Bins) {
  EXPECT_EQ(initial_ttl_guess(0), 32);
  EXPECT_EQ(initial_ttl_guess(32), 32);
  EXPECT_EQ(initial_ttl_guess(33), 64);
  EXPECT_EQ(initial_ttl_guess(60), 64);
  EXPECT_EQ(initial_ttl_guess(64), 64);
  EXPECT_EQ(initial_ttl_guess(65), 128);
  EXPECT_EQ(initial_ttl_guess(128), 128);
  EXPECT_EQ(initial_ttl_guess(129), 255);
  EXPECT_EQ(initial_ttl_guess(255), 255);
}

TEST(InitialTtlGuess, ValuesAboveAByteStayAt255) {
  // The emulator reads T ranges from the database, which reach 0x1FF.
  EXPECT_EQ(initial_ttl_guess(256), 255);
  EXPECT_EQ(initial_ttl_guess(0x1FF), 255);
  EXPECT_EQ(initial_ttl_guess(0xFFFFFFFFU), 255);
}

static_assert(initial_ttl_guess(64) == 64, "usable in constant expressions");

} // namespace
} // namespace stackprint
