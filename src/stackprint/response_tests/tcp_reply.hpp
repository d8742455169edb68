#pragma once
// Per-reply TCP tests of the ECN and T1..T7 lines (docs/nmap-behaviour.md Appendix B "T/ECN", 1.6; Nmap's
// processTEcnResp / processT1_7Resp): R, DF, W, S, A, F, RD, Q, CC. Inputs are header fields in
// host byte order; outputs are the attribute values exactly as Nmap prints them.

#include "stackprint/wire/tcp_segment.hpp"
#include <cstdint>
#include <span>
#include <string>

namespace stackprint::response_tests {

// TCP flag bits of header byte 13: the wire layer's constants.
using wire::k_tcp_ack;
using wire::k_tcp_cwr;
using wire::k_tcp_ece;
using wire::k_tcp_fin;
using wire::k_tcp_psh;
using wire::k_tcp_rst;
using wire::k_tcp_syn;
using wire::k_tcp_urg;

// R: "Y" when a reply was received, "N" otherwise.
[[nodiscard]] std::string response_value(bool received);

// DF: "Y" when the IP Don't Fragment bit is set, else "N".
[[nodiscard]] std::string dont_fragment_value(bool df);

// W, W1..W6: the TCP window (host order) in hex (%hX), e.g. 0xFE88 -> "FE88", 0 -> "0".
[[nodiscard]] std::string window_value(std::uint16_t window);

// S: reply sequence number versus the probe's acknowledgment number field:
// "Z" if 0, "A" if equal, "A+" if equal + 1 (u32 wrap), else "O".
[[nodiscard]] std::string tcp_seq_value(std::uint32_t reply_seq, std::uint32_t probe_ack);

// A: reply acknowledgment number versus the probe's sequence number:
// "Z" if 0, "S" if equal, "S+" if equal + 1 (u32 wrap), else "O".
[[nodiscard]] std::string tcp_ack_value(std::uint32_t reply_ack, std::uint32_t probe_seq);

// F: flag letters in the order E U A P R S F (CWR is never shown). No flags -> "".
[[nodiscard]] std::string tcp_flags_value(std::uint8_t flags);

// Length of the TCP payload as Nmap computes it for RD: IP total length - IP header length -
// TCP header length (all in bytes), which may be negative for malformed packets.
[[nodiscard]] int tcp_payload_length(std::uint16_t ip_total_length, unsigned ip_header_bytes,
                                     unsigned tcp_header_bytes);

// RD: "%08lX" of the CRC-32 (base/crc32.hpp, as Nmap's nbase_crc32) of the payload when RST is set and the payload is
// not empty, else "0". `payload` = the bytes after the TCP header up to the IP total length. DIVERGENCE(nmap): when the
// IP total length claims more bytes than were captured, Nmap reads past the packet; the caller passes only the captured
// bytes.
[[nodiscard]] std::string rst_data_value(std::uint8_t flags, std::span<const std::uint8_t> payload);

// Q: "R" if the 4 reserved bits (low nibble of header byte 12, Nmap's th_x2) are non-zero, then
// "U" if URG is not set but the urgent pointer is non-zero. Nothing -> "".
[[nodiscard]] std::string tcp_quirks_value(std::uint8_t reserved_nibble, std::uint8_t flags,
                                           std::uint16_t urgent_pointer);

// CC (ECN line only): "S" if ECE and CWR, "Y" if only ECE, "N" if neither, "O" if only CWR.
[[nodiscard]] std::string ecn_cc_value(std::uint8_t flags);

} // namespace stackprint::response_tests
