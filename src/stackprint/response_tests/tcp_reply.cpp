#include "stackprint/response_tests/tcp_reply.hpp"

#include <array>

#include "stackprint/base/crc32.hpp"
#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {

// R
std::string response_value(bool received) { return received ? "Y" : "N"; }

// DF
std::string dont_fragment_value(bool df) { return df ? "Y" : "N"; }

// W, W1..W6
std::string window_value(std::uint16_t window) { return hex(window); }

// S: TCP sequence number.
std::string tcp_seq_value(std::uint32_t reply_seq, std::uint32_t probe_ack) {
  if (reply_seq == 0) return "Z";
  if (reply_seq == probe_ack) return "A";
  if (reply_seq == probe_ack + 1u) return "A+";
  return "O";
}

// A: TCP acknowledgment number.
std::string tcp_ack_value(std::uint32_t reply_ack, std::uint32_t probe_seq) {
  if (reply_ack == 0) return "Z";
  if (reply_ack == probe_seq) return "S";
  if (reply_ack == probe_seq + 1u) return "S+";
  return "O";
}

// F: TCP flags.
std::string tcp_flags_value(std::uint8_t flags) {
  static constexpr std::array<std::pair<std::uint8_t, char>, 7> letters = {{{k_tcp_ece, 'E'},
                                                                            {k_tcp_urg, 'U'},
                                                                            {k_tcp_ack, 'A'},
                                                                            {k_tcp_psh, 'P'},
                                                                            {k_tcp_rst, 'R'},
                                                                            {k_tcp_syn, 'S'},
                                                                            {k_tcp_fin, 'F'}}};
  std::string out;
  for (const auto& [bit, letter] : letters) {
    if (flags & bit) out += letter;
  }
  return out;
}

int tcp_payload_length(std::uint16_t ip_total_length, unsigned ip_header_bytes, unsigned tcp_header_bytes) {
  return static_cast<int>(ip_total_length) - static_cast<int>(ip_header_bytes) - static_cast<int>(tcp_header_bytes);
}

// RD: TCP RST data checksum.
std::string rst_data_value(std::uint8_t flags, std::span<const std::uint8_t> payload) {
  if ((flags & k_tcp_rst) && !payload.empty()) return hex8_padded(stackprint::crc32(payload));
  return "0";
}

// Q: TCP miscellaneous quirks.
std::string tcp_quirks_value(std::uint8_t reserved_nibble, std::uint8_t flags, std::uint16_t urgent_pointer) {
  std::string out;
  if (reserved_nibble & 0x0Fu) out += 'R';
  if (!(flags & k_tcp_urg) && urgent_pointer != 0) out += 'U';
  return out;
}

// CC: explicit congestion notification.
std::string ecn_cc_value(std::uint8_t flags) {
  const bool ece = flags & k_tcp_ece;
  const bool cwr = flags & k_tcp_cwr;
  if (ece && cwr) return "S";
  if (ece) return "Y";
  if (!cwr) return "N";
  return "O";
}

} // namespace stackprint::response_tests
