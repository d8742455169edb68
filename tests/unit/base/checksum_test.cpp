#include "stackprint/base/checksum.hpp"

#include <array>
#include <vector>

#include <gtest/gtest.h>

#include "test_hex.hpp"

namespace stackprint {
namespace {

using testing::from_hex;

TEST(InternetChecksum, MatchesRfc1071Example) {
  // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d.
  const auto bytes = from_hex("0001f203f4f5f6f7");
  EXPECT_EQ(internet_checksum(bytes), 0x220D);
}

TEST(InternetChecksum, RealIpv4HeaderVerifiesToZeroAndRecomputes) {
  // U1 probe header sent by Nmap 7.93 (checksum 8d9a).
  auto header = from_hex("45000148104200003f118d9a0a6364010a636402");
  EXPECT_EQ(internet_checksum(header), 0);
  header[10] = 0;
  header[11] = 0;
  EXPECT_EQ(internet_checksum(header), 0x8D9A);
}

TEST(InternetChecksum, OddLengthPadsWithZeroAndPiecesCompose) {
  const auto bytes = from_hex("0102030405");
  EXPECT_EQ(internet_checksum(bytes), internet_checksum(from_hex("010203040500")));
  InternetChecksum pieces;
  pieces.add(std::span(bytes).first(1));
  pieces.add(std::span(bytes).subspan(1, 3));
  pieces.add(std::span(bytes).subspan(4));
  EXPECT_EQ(pieces.finish(), internet_checksum(bytes));
}

TEST(InternetChecksum, TransportChecksumOfRealTcpSyn) {
  // SEQ #1 probe of a recorded Nmap 7.93 run, 10.99.100.1 -> 10.99.100.2, checksum 5b2f.
  auto segment = from_hex("d5c70050bcf0a917e44ae6a1a00200015b2f000003030a01020405b4080affffffff"
                          "000000000402");
  EXPECT_EQ(transport_checksum(0x0A636401, 0x0A636402, 6, segment), 0);
  segment[16] = 0;
  segment[17] = 0;
  EXPECT_EQ(transport_checksum(0x0A636401, 0x0A636402, 6, segment), 0x5B2F);
  // Swapping the addresses keeps the sum; changing one changes it.
  EXPECT_NE(transport_checksum(0x0A636401, 0x0A636403, 6, segment), 0x5B2F);
}

} // namespace
} // namespace stackprint
