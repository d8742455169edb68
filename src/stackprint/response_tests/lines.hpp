#pragma once
// Whole test lines in Nmap's attribute order (docs/nmap-behaviour.md 1.1), built from the per-test functions
// of tcp_reply.hpp, tcp_options.hpp, ttl.hpp, u1.hpp and ie.hpp, so the assembly layer only
// extracts header fields. SEQ is built by make_seq_line (seq.hpp), R=N lines by no_response_line
// (omission.hpp).
//
//   OPS  O1..O6                      WIN  W1..W6
//   ECN  R DF T|TG W O CC Q          T1   R DF T|TG S A F RD Q
//   T2..T7  R DF T|TG W S A F O RD Q
//   U1   R DF T|TG IPL UN RIPL RID RIPCK RUCK RUD
//   IE   R DFI T|TG CD

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/response_tests/tcp_options.hpp"
#include "stackprint/response_tests/ttl.hpp"

namespace stackprint::response_tests {

// Fields of one TCP reply, host byte order. The spans are views into the caller's packet bytes.
struct TcpReplyFields {
  bool df = false; // IP Don't Fragment
  std::uint16_t window = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;           // header byte 13
  std::uint8_t reserved_nibble = 0; // low 4 bits of header byte 12
  std::uint16_t urgent_pointer = 0;
  std::span<const std::uint8_t> options{};       // bytes 20 .. data offset*4 of the TCP header
  std::span<const std::uint8_t> after_options{}; // the rest of the captured segment (7.93 option walk)
  std::span<const std::uint8_t> rst_payload{};   // TCP payload up to the IP total length (RD)
};

// The sequence and acknowledgment fields of the probe that caused the reply (Nmap's tcpSeqBase and
// tcpAck for T1..T7).
struct ProbeNumbers {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
};

// OPS(O1=..%...%O6=..) from the 6 option strings, in probe order.
[[nodiscard]] fingerprint::TestLine ops_line(const std::array<std::string, 6>& option_strings);

// WIN(W1=..%...%W6=..) from the 6 windows, in probe order.
[[nodiscard]] fingerprint::TestLine win_line(const std::array<std::uint16_t, 6>& windows);

// ECN(R=Y%DF%T|TG%W%O%CC%Q).
[[nodiscard]] fingerprint::TestLine ecn_line(const TcpReplyFields& reply, const TtlAttribute& ttl, OptionWalk walk);

// T<number>(...) for number 1..7; T1 has no W and no O. Numbers outside 1..7 are clamped.
[[nodiscard]] fingerprint::TestLine t_line(int number, const TcpReplyFields& reply, ProbeNumbers probe,
                                           const TtlAttribute& ttl, OptionWalk walk);

// Fields of the ICMP port unreachable reply to U1.
struct U1ReplyFields {
  bool df = false;                                  // outer header
  std::uint16_t ip_total_length = 0;                // outer header (IPL)
  std::uint32_t icmp_unused = 0;                    // ICMP bytes 4..7, big-endian value (UN)
  std::uint16_t quoted_ip_total_length = 0;         // RIPL
  std::uint16_t quoted_ip_id = 0;                   // RID
  std::array<std::uint8_t, 20> quoted_ip_header{};  // first 20 quoted bytes (RIPCK)
  std::uint16_t quoted_udp_checksum = 0;            // RUCK
  std::span<const std::uint8_t> returned_payload{}; // see u1_rud_value / u1_returned_payload (RUD)
};

// What was sent in U1 (the saved values Nmap compares with).
struct U1ProbeFields {
  std::uint16_t ip_id = 0x1042;
  std::uint16_t udp_checksum = 0;
};

// U1(R=Y%DF%T|TG%IPL%UN%RIPL%RID%RIPCK%RUCK%RUD). `include_rid` false reproduces Nmap builds for
// Solaris/SunOS/IRIX/HP-UX, which leave RID out.
[[nodiscard]] fingerprint::TestLine u1_line(const U1ReplyFields& reply, const U1ProbeFields& probe,
                                            const TtlAttribute& ttl, bool include_rid = true);

// IE(R=Y%DFI%T|TG%CD); `ttl` is that of reply #1.
[[nodiscard]] fingerprint::TestLine ie_line(bool reply1_df, bool reply2_df, std::uint8_t reply1_code,
                                            std::uint8_t reply2_code, const TtlAttribute& ttl);

} // namespace stackprint::response_tests
