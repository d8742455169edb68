#include "stackprint/response_tests/ip_id.hpp"

#include <gtest/gtest.h>

namespace stackprint::response_tests {
namespace {

using V = std::vector<std::uint32_t>;

IpIdClass cls(V ids, bool localhost = false) { return classify_ip_ids(ids, localhost); }

TEST(IpIdClassify, TooFewSamplesIsUnknown) {
  EXPECT_EQ(cls({}), IpIdClass::unknown);
  EXPECT_EQ(cls({7}), IpIdClass::unknown);
  // Minimum counts: TI needs 3, CI and II need 2.
  const V two = {1, 2};
  EXPECT_EQ(classify_ti(two, false), IpIdClass::unknown);
  EXPECT_EQ(classify_ci(two, false), IpIdClass::incremental);
  EXPECT_EQ(classify_ii(two, false), IpIdClass::incremental);
  const V one = {1};
  EXPECT_EQ(classify_ci(one, false), IpIdClass::unknown);
  EXPECT_EQ(classify_ti(V{1, 2, 3}, false), IpIdClass::incremental);
}

TEST(IpIdClassify, RandomNeedsMoreThanTwoSamplesAndUses32BitDiffs) {
  EXPECT_EQ(cls({100, 30000, 30001}), IpIdClass::random);
  // A wrapping 16-bit counter gives a huge 32-bit diff: RD with 3 samples...
  EXPECT_EQ(cls({65530, 3, 4}), IpIdClass::random);
  // ...but with 2 samples there is no RD check and the masked diff (9) is incremental.
  EXPECT_EQ(cls({65530, 3}), IpIdClass::incremental);
  // A decrease with 2 samples becomes a large 16-bit diff: RI.
  EXPECT_EQ(cls({1000, 999}), IpIdClass::random_positive);
  // RD is decided before Z: zeros around a jump are RD.
  EXPECT_EQ(cls({0, 30000, 0}), IpIdClass::random);
  EXPECT_EQ(cls({0, 20000, 40000}), IpIdClass::random_positive); // 20000 is not > 20000; 20000 % 256 != 0
  EXPECT_EQ(cls({0, 20001, 20002}), IpIdClass::random);
}

TEST(IpIdClassify, ZeroConstantAndRandomPositive) {
  EXPECT_EQ(cls({0, 0, 0}), IpIdClass::zero);
  EXPECT_EQ(cls({0, 0}), IpIdClass::zero);
  EXPECT_EQ(cls({5, 5, 5}), IpIdClass::constant);
  EXPECT_EQ(cls({100, 1101}), IpIdClass::random_positive);  // > 1000, not a multiple of 256
  EXPECT_EQ(cls({0, 25600}), IpIdClass::random_positive);   // multiple of 256 and >= 25600
  EXPECT_EQ(cls({0, 25344}), IpIdClass::incremental_by_2);  // 99*256: not RI, not BI (> 5120), even
  EXPECT_EQ(cls({100, 1100}), IpIdClass::incremental_by_2); // exactly 1000 is not > 1000
}

TEST(IpIdClassify, BrokenIncrementIncrementsAndUnknown) {
  EXPECT_EQ(cls({256, 512, 768}), IpIdClass::broken_incremental);
  EXPECT_EQ(cls({0, 5120}), IpIdClass::broken_incremental);
  EXPECT_EQ(cls({0, 5376}), IpIdClass::incremental_by_2); // 21*256 > 5120
  EXPECT_EQ(cls({2, 4, 6, 8}), IpIdClass::incremental_by_2);
  EXPECT_EQ(cls({1, 2, 5}), IpIdClass::incremental);
  EXPECT_EQ(cls({1, 10, 11}), IpIdClass::incremental); // 9 is the largest incremental diff
  EXPECT_EQ(cls({1, 11, 12}), IpIdClass::unknown);     // 10 and 1: odd, not <= 9
  EXPECT_EQ(cls({1, 20, 21}), IpIdClass::unknown);
}

TEST(IpIdClassify, LocalhostAdjustmentOnlyWhenEveryDiffIsAtLeastTwo) {
  EXPECT_EQ(cls({10, 12, 14}, false), IpIdClass::incremental_by_2);
  EXPECT_EQ(cls({10, 12, 14}, true), IpIdClass::incremental); // 2,2 -> 1,1
  EXPECT_EQ(cls({1, 2, 4}, true), IpIdClass::incremental);    // has a diff of 1: no adjustment
  EXPECT_EQ(cls({1, 3, 4}, false), IpIdClass::incremental);
  EXPECT_EQ(cls({0, 256, 512}, true), IpIdClass::constant);           // multiples of 256 lose 256
  EXPECT_EQ(cls({0, 257, 514}, true), IpIdClass::broken_incremental); // 257 -> 256
}

TEST(IpIdValue, PrintedValues) {
  EXPECT_EQ(ip_id_value(IpIdClass::zero, V{0, 0}), "Z");
  EXPECT_EQ(ip_id_value(IpIdClass::random, V{}), "RD");
  EXPECT_EQ(ip_id_value(IpIdClass::random_positive, V{}), "RI");
  EXPECT_EQ(ip_id_value(IpIdClass::broken_incremental, V{}), "BI");
  EXPECT_EQ(ip_id_value(IpIdClass::incremental, V{}), "I");
  EXPECT_EQ(ip_id_value(IpIdClass::incremental_by_2, V{}), "I");
  EXPECT_EQ(ip_id_value(IpIdClass::constant, V{0xF558, 0xF558}), "F558");
  EXPECT_EQ(ip_id_value(IpIdClass::constant, V{}), std::nullopt);
  EXPECT_EQ(ip_id_value(IpIdClass::unknown, V{1, 2}), std::nullopt);
}

TEST(IpIdCompaction, DropsMissingSamplesKeepingOrder) {
  const std::vector<std::optional<std::uint16_t>> samples = {std::nullopt, 5, std::nullopt, 0, 9};
  EXPECT_EQ(compact_ip_ids(samples), (V{5, 0, 9}));
}

TEST(SharedIpId, SameOrOtherSequence) {
  const V ti = {117, 118, 119, 120, 121, 122};
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, ti, IpIdClass::incremental, V{123, 124}), "S");
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, ti, IpIdClass::incremental, V{32917, 32918}), "O");
  // Boundary: first II < last TI + 3*avg (avg 1): 124 < 125 is S, 125 is O.
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, ti, IpIdClass::incremental, V{124, 125}), "S");
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, ti, IpIdClass::incremental, V{125, 126}), "O");
  // The book example: avg = (20000 - 10000) / 5 = 2000.
  const V ti_ri = {10000, 12000, 14000, 16000, 18000, 20000};
  EXPECT_EQ(shared_ip_id_value(IpIdClass::random_positive, ti_ri, IpIdClass::broken_incremental, V{25999, 1}), "S");
  EXPECT_EQ(shared_ip_id_value(IpIdClass::random_positive, ti_ri, IpIdClass::broken_incremental, V{26000, 1}), "O");
}

TEST(SharedIpId, OnlyForIncrementalBrokenOrRandomPositiveClasses) {
  const V ti = {2, 4, 6};
  const V ii = {8, 10};
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental_by_2, ti, IpIdClass::incremental, ii), std::nullopt);
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, ti, IpIdClass::incremental_by_2, ii), std::nullopt);
  EXPECT_EQ(shared_ip_id_value(IpIdClass::random, ti, IpIdClass::incremental, ii), std::nullopt);
  EXPECT_EQ(shared_ip_id_value(IpIdClass::zero, ti, IpIdClass::zero, ii), std::nullopt);
  EXPECT_EQ(shared_ip_id_value(IpIdClass::constant, ti, IpIdClass::incremental, ii), std::nullopt);
  // avg = (6 - 2) / 2 = 2: S below 6 + 3*2 = 12, O from 12.
  EXPECT_EQ(shared_ip_id_value(IpIdClass::broken_incremental, ti, IpIdClass::random_positive, ii), "S");
  EXPECT_EQ(shared_ip_id_value(IpIdClass::broken_incremental, ti, IpIdClass::random_positive, V{12, 13}), "O");
}

TEST(SharedIpId, U32ArithmeticWithoutWrapHandling) {
  // TI near the top of the 16-bit space, II after the wrap: 2 < 65532 + 3 -> S.
  EXPECT_EQ(shared_ip_id_value(IpIdClass::incremental, V{65530, 65531, 65532}, IpIdClass::incremental, V{2, 3}), "S");
  // Decreasing TI samples: avg = (1000 - 5000) / 2 wraps in u32 to 2147481648 and
  // 1000 + 3 * avg wraps to 2147478648, so even a first II of 2147478647 counts as shared.
  EXPECT_EQ(
      shared_ip_id_value(IpIdClass::random_positive, V{5000, 3000, 1000}, IpIdClass::incremental, V{2147478647u, 1}),
      "S");
  EXPECT_EQ(
      shared_ip_id_value(IpIdClass::random_positive, V{5000, 3000, 1000}, IpIdClass::incremental, V{2147478648u, 1}),
      "O");
}

TEST(IpIdWords, VerboseOutputTexts) {
  EXPECT_STREQ(ip_id_class_words(IpIdClass::constant), "Duplicated ipid (!)");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::incremental), "Incremental");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::incremental_by_2), "Incrementing by 2");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::broken_incremental), "Broken little-endian incremental");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::random), "Randomized");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::random_positive), "Random positive increments");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::zero), "All zeros");
  EXPECT_STREQ(ip_id_class_words(IpIdClass::unknown), "Busy server or unknown class");
}

} // namespace
} // namespace stackprint::response_tests
