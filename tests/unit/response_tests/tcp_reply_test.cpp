#include "stackprint/response_tests/tcp_reply.hpp"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/base/checksum.hpp"
#include "stackprint/base/crc32.hpp"

namespace stackprint::response_tests {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(TcpReply, ResponseDontFragmentAndWindow) {
  EXPECT_EQ(response_value(true), "Y");
  EXPECT_EQ(response_value(false), "N");
  EXPECT_EQ(dont_fragment_value(true), "Y");
  EXPECT_EQ(dont_fragment_value(false), "N");
  EXPECT_EQ(window_value(0xFE88), "FE88");
  EXPECT_EQ(window_value(0), "0");
  EXPECT_EQ(window_value(0x0400), "400");
  EXPECT_EQ(window_value(0xFFFF), "FFFF");
}

TEST(TcpReply, SequenceVersusProbeAck) {
  EXPECT_EQ(tcp_seq_value(0, 1234), "Z");
  EXPECT_EQ(tcp_seq_value(1234, 1234), "A");
  EXPECT_EQ(tcp_seq_value(1235, 1234), "A+");
  EXPECT_EQ(tcp_seq_value(1236, 1234), "O");
  EXPECT_EQ(tcp_seq_value(1233, 1234), "O");
  EXPECT_EQ(tcp_seq_value(0, 0), "Z");           // Z is checked first
  EXPECT_EQ(tcp_seq_value(0, 0xFFFFFFFFu), "Z"); // ack+1 wraps to 0, but Z wins
  EXPECT_EQ(tcp_seq_value(0xFFFFFFFFu, 0xFFFFFFFEu), "A+");
}

TEST(TcpReply, AckVersusProbeSeq) {
  EXPECT_EQ(tcp_ack_value(0, 99), "Z");
  EXPECT_EQ(tcp_ack_value(99, 99), "S");
  EXPECT_EQ(tcp_ack_value(100, 99), "S+");
  EXPECT_EQ(tcp_ack_value(101, 99), "O");
  EXPECT_EQ(tcp_ack_value(1, 0), "S+");
}

TEST(TcpReply, FlagsInNmapOrderWithoutCwr) {
  EXPECT_EQ(tcp_flags_value(0x12), "AS");
  EXPECT_EQ(tcp_flags_value(0x14), "AR");
  EXPECT_EQ(tcp_flags_value(0x04), "R");
  EXPECT_EQ(tcp_flags_value(0x00), "");
  EXPECT_EQ(tcp_flags_value(0x80), "");
  EXPECT_EQ(tcp_flags_value(0xFF), "EUAPRSF");
  EXPECT_EQ(tcp_flags_value(0x52), "EAS");
  EXPECT_EQ(tcp_flags_value(0x29), "UPF");
}

TEST(TcpReply, Crc32IsTheStandardOne) {
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
  EXPECT_EQ(crc32(bytes_of("a")), 0xE8B7BE43u);
}

TEST(TcpReply, RstDataChecksum) {
  const auto data = bytes_of("123456789");
  EXPECT_EQ(rst_data_value(0x04, data), "CBF43926");
  EXPECT_EQ(rst_data_value(0x14, data), "CBF43926");
  EXPECT_EQ(rst_data_value(0x04, bytes_of("x31")), "001685F0"); // zero padded to 8 digits
  EXPECT_EQ(rst_data_value(0x10, data), "0");                   // not a RST
  EXPECT_EQ(rst_data_value(0x04, {}), "0");                     // no data
  EXPECT_EQ(tcp_payload_length(60, 20, 20), 20);
  EXPECT_EQ(tcp_payload_length(40, 20, 20), 0);
  EXPECT_EQ(tcp_payload_length(30, 20, 20), -10);
}

TEST(TcpReply, Quirks) {
  EXPECT_EQ(tcp_quirks_value(0, 0x12, 0), "");
  EXPECT_EQ(tcp_quirks_value(0x8, 0x12, 0), "R");
  EXPECT_EQ(tcp_quirks_value(0x1, 0x12, 0), "R"); // NS bit is part of the reserved nibble
  EXPECT_EQ(tcp_quirks_value(0, 0x12, 0xF7F5), "U");
  EXPECT_EQ(tcp_quirks_value(0, 0x32, 0xF7F5), ""); // URG set: the pointer is legitimate
  EXPECT_EQ(tcp_quirks_value(0x8, 0x12, 1), "RU");
  EXPECT_EQ(tcp_quirks_value(0xF0, 0x12, 0), ""); // only the low nibble counts
}

TEST(TcpReply, EcnCongestionControl) {
  EXPECT_EQ(ecn_cc_value(0x12 | 0x40 | 0x80), "S");
  EXPECT_EQ(ecn_cc_value(0x12 | 0x40), "Y");
  EXPECT_EQ(ecn_cc_value(0x12), "N");
  EXPECT_EQ(ecn_cc_value(0x12 | 0x80), "O");
}

} // namespace
} // namespace stackprint::response_tests
