#include "stackprint/wire/tcp_option.hpp"

#include <gtest/gtest.h>

#include "../base/test_hex.hpp"

namespace stackprint::wire {
namespace {

using stackprint::testing::from_hex;

TEST(TcpOptions, ParsesLinuxSynAckOptions) {
  // MSS 1460, SACK permitted, TS, NOP, WS 10 (a Linux SYN/ACK).
  const auto raw = from_hex("020405b40402080a5e89164bffffffff0103030a");
  auto list = parse_tcp_options(raw);
  EXPECT_FALSE(list.problem);
  ASSERT_EQ(list.options.size(), 5U);
  EXPECT_EQ(list.options[0].mss_value(), 1460);
  EXPECT_EQ(list.options[1].kind, k_tcp_option_sack_permitted);
  EXPECT_TRUE(list.options[1].data.empty());
  EXPECT_EQ(list.options[2].timestamp_value(), (TcpOption::Timestamp{0x5E89164B, 0xFFFFFFFF}));
  EXPECT_EQ(list.options[3].kind, k_tcp_option_nop);
  EXPECT_EQ(list.options[4].window_scale_value(), 10);
  EXPECT_EQ(list.find(k_tcp_option_window_scale), list.options[4]);
  EXPECT_FALSE(list.find(k_tcp_option_sack));
  EXPECT_EQ(encode_tcp_options(list.options), raw);
}

TEST(TcpOptions, EolDoesNotStopTheWalkSoPaddingBecomesEols) {
  auto list = parse_tcp_options(from_hex("0303000000"));
  EXPECT_FALSE(list.problem);
  ASSERT_EQ(list.options.size(), 3U);
  EXPECT_EQ(list.options[1].kind, k_tcp_option_eol);
  EXPECT_EQ(list.options[2].kind, k_tcp_option_eol);
}

TEST(TcpOptions, UnknownKindsAreKeptWithTheirData) {
  // SACK block (kind 5, length 10), then TFO cookie (kind 34, length 2: empty cookie request).
  const auto raw = from_hex("050a0000000100000002"
                            "2202");
  auto list = parse_tcp_options(raw);
  EXPECT_FALSE(list.problem);
  ASSERT_EQ(list.options.size(), 2U);
  EXPECT_EQ(list.options[0].kind, k_tcp_option_sack);
  EXPECT_EQ(list.options[0].data.size(), 8U);
  EXPECT_EQ(list.options[1].kind, 34);
  EXPECT_TRUE(list.options[1].data.empty());
  EXPECT_EQ(encode_tcp_options(list.options), raw);
}

TEST(TcpOptions, MalformedOptionsStopTheWalkWithAProblem) {
  struct Case {
    const char* hex;
    std::size_t parsed;
    std::size_t offset;
    const char* what;
  };
  const Case cases[] = {
      {"0102", 1, 1, "no length byte"},       // MSS kind as last byte
      {"010100", 2, 2, "no length byte"},     // NOP NOP then a lone kind 0? (0 is EOL: no)
      {"020005b4", 0, 0, "length 0 below 2"}, // length 0 would loop forever if trusted
      {"0201", 0, 0, "length 1 below 2"},     {"01020405", 1, 1, "overruns"}, // MSS claims 4 bytes, 3 left
      {"080affffffff", 0, 0, "overruns"},                                     // truncated timestamp
      {"03030a0102ff", 2, 4, "overruns"},                                     // length 255
  };
  for (const auto& c : cases) {
    auto list = parse_tcp_options(from_hex(c.hex));
    if (std::string_view(c.hex) == "010100") {
      // Kind 0 is EOL, a single byte: no problem at all.
      EXPECT_FALSE(list.problem);
      EXPECT_EQ(list.options.size(), 3U);
      continue;
    }
    ASSERT_TRUE(list.problem) << c.hex;
    EXPECT_EQ(list.options.size(), c.parsed) << c.hex;
    EXPECT_EQ(list.problem->offset, c.offset) << c.hex;
    EXPECT_NE(list.problem->what.find(c.what), std::string::npos) << c.hex << ": " << list.problem->what;
  }
}

TEST(TcpOptions, TypedReadersRejectWrongSizes) {
  TcpOption odd{k_tcp_option_mss, {0x05}};
  EXPECT_FALSE(odd.mss_value());
  EXPECT_FALSE(TcpOption::nop().window_scale_value());
  EXPECT_FALSE(TcpOption::mss(1).timestamp_value());
  EXPECT_EQ(TcpOption::timestamp(1, 2).wire_length(), 10U);
  EXPECT_EQ(TcpOption::eol().wire_length(), 1U);
}

TEST(TcpOptions, EmptyAreaIsEmptyList) {
  auto list = parse_tcp_options({});
  EXPECT_TRUE(list.options.empty());
  EXPECT_FALSE(list.problem);
}

} // namespace
} // namespace stackprint::wire
