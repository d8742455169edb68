#include "stackprint/response_tests/lines.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "stackprint/base/checksum.hpp"
#include "stackprint/base/crc32.hpp"

#include "stackprint/fingerprint/text.hpp"
#include "stackprint/response_tests/omission.hpp"
#include "stackprint/response_tests/u1.hpp"

namespace stackprint::response_tests {
namespace {

using fingerprint::format_test_line;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t k_seq_base = 0x11223344;
constexpr std::uint32_t k_ack = 0x55667788;
const TtlAttribute k_t40{"T", "40"};

// The lines of docs/nmap-behaviour.md Appendix A (Linux 6.x, Nmap 7.93), rebuilt from header fields.
TEST(Lines, ReproduceAppendixALines) {
  const Bytes ecn_options = {2, 4, 0x05, 0xB4, 1, 1, 4, 2, 1, 3, 3, 10};
  TcpReplyFields ecn{
      .df = true, .window = 0xFAF0, .seq = 0x9999, .ack = k_seq_base + 1, .flags = 0x52, .options = ecn_options};
  EXPECT_EQ(format_test_line(ecn_line(ecn, k_t40, OptionWalk::nmap_7_93)),
            "ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)");

  const Bytes t1_options = {2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF, 1, 3, 3, 10};
  TcpReplyFields t1{
      .df = true, .window = 0xFE88, .seq = 0xABCDEF, .ack = k_seq_base + 1, .flags = 0x12, .options = t1_options};
  EXPECT_EQ(format_test_line(t_line(1, t1, {k_seq_base, k_ack}, k_t40, OptionWalk::nmap_7_93)),
            "T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS%RD=0%Q=)");

  TcpReplyFields t4{.df = true, .window = 0, .seq = k_ack, .ack = 0, .flags = 0x04};
  EXPECT_EQ(format_test_line(t_line(4, t4, {k_seq_base, k_ack}, k_t40, OptionWalk::nmap_7_93)),
            "T4(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)");

  TcpReplyFields t5{.df = true, .window = 0, .seq = 0, .ack = k_seq_base + 1, .flags = 0x14};
  EXPECT_EQ(format_test_line(t_line(5, t5, {k_seq_base, k_ack}, k_t40, OptionWalk::nmap_7_93)),
            "T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)");

  U1ReplyFields u1;
  u1.df = false;
  u1.ip_total_length = 356;
  u1.quoted_ip_total_length = 328;
  u1.quoted_ip_id = 0x1042;
  u1.quoted_ip_header = {0x45, 0, 0x01, 0x48, 0x10, 0x42, 0, 0, 0x3B, 0x11, 0, 0, 10, 99, 10, 1, 10, 99, 10, 2};
  const auto sum = internet_checksum(u1.quoted_ip_header);
  u1.quoted_ip_header[10] = static_cast<std::uint8_t>(sum >> 8);
  u1.quoted_ip_header[11] = static_cast<std::uint8_t>(sum & 0xFF);
  u1.quoted_udp_checksum = 0x1234;
  const Bytes payload(300, 'C');
  u1.returned_payload = payload;
  EXPECT_EQ(format_test_line(u1_line(u1, U1ProbeFields{0x1042, 0x1234}, k_t40)),
            "U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)");
  EXPECT_EQ(format_test_line(u1_line(u1, U1ProbeFields{0x1042, 0x1234}, k_t40, false)),
            "U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RIPCK=G%RUCK=G%RUD=G)");

  EXPECT_EQ(format_test_line(ie_line(false, false, 9, 0, k_t40)), "IE(R=Y%DFI=N%T=40%CD=S)");

  EXPECT_EQ(format_test_line(
                ops_line({"M5B4ST11NWA", "M5B4ST11NWA", "M5B4NNT11NWA", "M5B4ST11NWA", "M5B4ST11NWA", "M5B4ST11"})),
            "OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11NWA%O5=M5B4ST11NWA%O6=M5B4ST11)");
  EXPECT_EQ(format_test_line(win_line({0xFE88, 0xFE88, 0xFE88, 0xFE88, 0xFE88, 0xFE88})),
            "WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=FE88)");
}

TEST(Lines, GuessedTtlQuirksAndRstData) {
  const Bytes data = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  TcpReplyFields r{.df = false,
                   .window = 0x400,
                   .seq = 0,
                   .ack = 0,
                   .flags = 0x04,
                   .reserved_nibble = 8,
                   .urgent_pointer = 0xF7F5,
                   .rst_payload = data};
  EXPECT_EQ(format_test_line(t_line(7, r, {1, 2}, ttl_attribute(120, std::nullopt), OptionWalk::nmap_7_93)),
            "T7(R=Y%DF=N%TG=80%W=400%S=Z%A=Z%F=R%O=%RD=CBF43926%Q=RU)");
  // Out-of-range test numbers are clamped rather than producing a bogus name.
  EXPECT_EQ(t_line(9, r, {1, 2}, k_t40, OptionWalk::nmap_7_93).name, "T7");
  EXPECT_EQ(t_line(0, r, {1, 2}, k_t40, OptionWalk::nmap_7_93).name, "T1");
}

TEST(Omission, MissingReplyRules) {
  const PortKnowledge both{true, true};
  const PortKnowledge open_only{true, false};
  const PortKnowledge closed_only{false, true};
  const PortKnowledge none{false, false};
  for (const char* name : {"ECN", "T1", "T2", "T3", "T4"}) {
    EXPECT_EQ(missing_reply_line(name, both), MissingReply::shown_as_no_response) << name;
    EXPECT_EQ(missing_reply_line(name, open_only), MissingReply::shown_as_no_response) << name;
    EXPECT_EQ(missing_reply_line(name, closed_only), MissingReply::left_out) << name;
  }
  for (const char* name : {"T5", "T6", "T7"}) {
    EXPECT_EQ(missing_reply_line(name, both), MissingReply::shown_as_no_response) << name;
    EXPECT_EQ(missing_reply_line(name, open_only), MissingReply::left_out) << name;
    EXPECT_EQ(missing_reply_line(name, closed_only), MissingReply::shown_as_no_response) << name;
  }
  for (const char* name : {"U1", "IE"}) {
    EXPECT_EQ(missing_reply_line(name, none), MissingReply::shown_as_no_response) << name;
  }
  for (const char* name : {"SEQ", "OPS", "WIN", "XX"}) {
    EXPECT_EQ(missing_reply_line(name, both), MissingReply::left_out) << name;
  }
  EXPECT_TRUE(ops_win_line_present(6));
  EXPECT_FALSE(ops_win_line_present(5));
  EXPECT_FALSE(ops_win_line_present(0));
  EXPECT_EQ(format_test_line(no_response_line("T2")), "T2(R=N)");
}

} // namespace
} // namespace stackprint::response_tests
