#pragma once
// The TCP option string of tests O, O1..O6 (docs/nmap-behaviour.md 1.7; Nmap's get_tcpopt_string).
//
// Each option adds: L (End of List, 0; the walk goes on), N (NOP, 1), M<hex> (MSS, 2, value
// %hX), W<hex> (window scale, 3, %hhX), S (SACK permitted, 4), T<0|1><0|1> (timestamp, 8: TSval
// then TSecr non-zero). The length byte of these kinds is never read: they always take 4, 3, 2 and
// 10 bytes. An option whose fixed size does not fit in the remaining option length empties the
// whole string. Like Nmap (256-byte buffer), the walk also stops once the string reaches 251
// characters; if option bytes remain at that point the string is empty.

#include <cstdint>
#include <span>
#include <string>

namespace stackprint::response_tests {

enum class OptionWalk {
  // Bit-compatible with 7.93: a kind other than 0/1/2/3/4/8 consumes one byte but does NOT reduce
  // the remaining option length, so its length and data bytes are read as further kinds and the
  // walk may run past the option area into the bytes that follow (see `bytes_after_options`).
  nmap_7_93,
  // DIVERGENCE(nmap): sane walk, as Nmap after 7.93 does: an unknown kind is skipped by its length
  // byte; a length < 2 or beyond the option area empties the string.
  skip_unknown_by_length,
};

// `options`: the option area, i.e. the TCP header bytes after the fixed 20, up to data offset * 4.
// `bytes_after_options`: the rest of the captured segment (payload ...), read only by the 7.93
// walk when unknown kinds push it past the option area.
// DIVERGENCE(nmap): if the 7.93 walk would read beyond both spans (Nmap reads whatever memory
// follows the packet), the result is the empty string.
[[nodiscard]] std::string tcp_option_string(std::span<const std::uint8_t> options, OptionWalk walk,
                                            std::span<const std::uint8_t> bytes_after_options = {});

} // namespace stackprint::response_tests
