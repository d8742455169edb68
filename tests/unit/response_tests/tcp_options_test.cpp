#include "stackprint/response_tests/tcp_options.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace stackprint::response_tests {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string both(const Bytes& options) {
  const std::string nmap = tcp_option_string(options, OptionWalk::nmap_7_93);
  const std::string fixed = tcp_option_string(options, OptionWalk::skip_unknown_by_length);
  EXPECT_EQ(nmap, fixed) << "walks differ on known options";
  return nmap;
}

TEST(TcpOptionString, LinuxSynAckOptions) {
  // MSS 1460, SACK permitted, timestamp (both non-zero), NOP, window scale 10.
  EXPECT_EQ(both({2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0xFF, 0, 0, 0, 1, 3, 3, 10}), "M5B4ST11NWA");
  // O3 shape: MSS, NOP, NOP, timestamp, NOP, WS.
  EXPECT_EQ(both({2, 4, 0x05, 0xB4, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 10}), "M5B4NNT11NWA");
}

TEST(TcpOptionString, ValuesInHexWithoutLeadingZeros) {
  EXPECT_EQ(both({2, 4, 0x02, 0x18}), "M218");
  EXPECT_EQ(both({2, 4, 0, 0}), "M0");
  EXPECT_EQ(both({3, 3, 0}), "W0");
  EXPECT_EQ(both({3, 3, 0xFF}), "WFF");
  EXPECT_EQ(both({8, 10, 0, 0, 0, 0, 0, 0, 0, 0}), "T00");
  EXPECT_EQ(both({8, 10, 0, 0, 0, 9, 0, 0, 0, 0}), "T10");
  EXPECT_EQ(both({8, 10, 0, 0, 0, 0, 1, 0, 0, 0}), "T01");
}

TEST(TcpOptionString, EndOfListAddsLAndTheWalkGoesOn) {
  EXPECT_EQ(both({2, 4, 0x05, 0xB4, 0, 0, 0, 0}), "M5B4LLLL");
  EXPECT_EQ(both({0, 1, 4, 2}), "LNS");
}

TEST(TcpOptionString, EmptyAndTruncatedOptions) {
  EXPECT_EQ(both({}), "");
  EXPECT_EQ(both({2, 4, 5}), "");                    // MSS needs 4 bytes
  EXPECT_EQ(both({1, 3, 3}), "");                    // WS needs 3 bytes
  EXPECT_EQ(both({8, 10, 0, 0, 0, 1, 0, 0, 0}), ""); // TS needs 10 bytes
  EXPECT_EQ(both({1, 4}), "");                       // SACK permitted needs 2 bytes
  // Known kinds ignore their length byte: an MSS with length 8 still takes 4 bytes.
  EXPECT_EQ(both({2, 8, 0x05, 0xB4, 1}), "M5B4N");
}

TEST(TcpOptionString, Nmap793UnknownKindDoesNotReduceTheRemainingLength) {
  // SACK block option (kind 5, length 10): 7.93 reads 5 and 10 as unknown kinds, then the data
  // bytes as kinds: 0,0,0 -> LLL, 1 -> N, 0,0,0 -> LLL, then 3 is a window scale whose length and
  // value bytes lie after the option area.
  const Bytes sack_block = {5, 10, 0, 0, 0, 1, 0, 0, 0, 3};
  const Bytes after = {3, 7};
  EXPECT_EQ(tcp_option_string(sack_block, OptionWalk::nmap_7_93, after), "LLLNLLLW7");
  // DIVERGENCE(nmap): without the following bytes we cannot know what Nmap read: empty.
  EXPECT_EQ(tcp_option_string(sack_block, OptionWalk::nmap_7_93), "");
  // The sane walk skips the option by its length.
  EXPECT_EQ(tcp_option_string(sack_block, OptionWalk::skip_unknown_by_length, after), "");

  // Unknown kind 19 (MD5, here length 4) followed by known options.
  const Bytes md5 = {19, 4, 0xAA, 0xBB, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(tcp_option_string(md5, OptionWalk::skip_unknown_by_length), "NNT10");
  // 7.93: 19 unknown, 4 = SACK permitted (skips 0xAA), 0xBB unknown, N, N, T10, then 2 more option
  // bytes are believed to remain and are read from the payload.
  EXPECT_EQ(tcp_option_string(md5, OptionWalk::nmap_7_93, Bytes{1, 1}), "SNNT10NN");
  EXPECT_EQ(tcp_option_string(md5, OptionWalk::nmap_7_93, Bytes{1}), "");
  EXPECT_EQ(tcp_option_string(md5, OptionWalk::nmap_7_93, Bytes{2, 4, 0}), ""); // MSS no longer fits
}

TEST(TcpOptionString, SaneWalkRejectsBadUnknownLengths) {
  EXPECT_EQ(tcp_option_string(Bytes{30, 1}, OptionWalk::skip_unknown_by_length), "");       // length < 2
  EXPECT_EQ(tcp_option_string(Bytes{30, 6, 0, 0}, OptionWalk::skip_unknown_by_length), ""); // past the area
  EXPECT_EQ(tcp_option_string(Bytes{30}, OptionWalk::skip_unknown_by_length), "");          // no length byte
  EXPECT_EQ(tcp_option_string(Bytes{30, 2, 1}, OptionWalk::skip_unknown_by_length), "N");
  // The sane walk never reads the bytes after the option area.
  EXPECT_EQ(tcp_option_string(Bytes{30, 2, 1}, OptionWalk::skip_unknown_by_length, Bytes{1, 1}), "N");
}

TEST(TcpOptionString, NeverReadsOutOfBoundsOnArbitraryBytes) {
  // Exhaustive over short option areas with a few interesting byte values (ASan checks reads).
  const std::uint8_t values[] = {0, 1, 2, 3, 4, 5, 8, 10, 255};
  for (const auto a : values) {
    for (const auto b : values) {
      for (const auto c : values) {
        for (const auto d : values) {
          const Bytes options = {a, b, c, d};
          const Bytes after = {d, c};
          for (const auto walk : {OptionWalk::nmap_7_93, OptionWalk::skip_unknown_by_length}) {
            const std::string s = tcp_option_string(options, walk, after);
            EXPECT_LE(s.size(), 20u);
          }
        }
      }
    }
  }
}

} // namespace
} // namespace stackprint::response_tests
