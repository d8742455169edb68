#include "stackprint/fingerprint/fingerprint.hpp"

#include <gtest/gtest.h>

namespace stackprint::fingerprint {
namespace {

TEST(FingerprintModel, FindsTestsAndAttributesByName) {
  Fingerprint fp;
  fp.tests.push_back(TestLine{"SEQ", {{"SP", "103"}, {"GCD", "1"}}});
  fp.tests.push_back(TestLine{"T2", {{"R", "N"}}});
  ASSERT_NE(fp.find("SEQ"), nullptr);
  EXPECT_EQ(*fp.find("SEQ")->find("GCD"), "1");
  EXPECT_EQ(fp.find("SEQ")->find("TS"), nullptr);
  EXPECT_EQ(fp.find("IE"), nullptr);
}

} // namespace
} // namespace stackprint::fingerprint
