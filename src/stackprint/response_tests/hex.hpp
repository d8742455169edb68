#pragma once
// Number formatting exactly as Nmap prints fingerprint values (docs/nmap-behaviour.md 1.6).

#include <cstdint>
#include <span>
#include <string>

namespace stackprint::response_tests {

// printf("%X"): uppercase hex, no leading zeros, zero is "0". E.g. 0xFE88 -> "FE88".
[[nodiscard]] std::string hex(std::uint64_t value);

// printf("%hX") of an int: only the low 16 bits are printed (e.g. U1.UN, T of a negative sum).
[[nodiscard]] std::string hex16(std::int64_t value);

// printf("%08lX") of a CRC-32: exactly 8 uppercase hex digits (T.RD).
[[nodiscard]] std::string hex8_padded(std::uint32_t value);

// Comma-separated %X values, as in Nmap's XML tcpsequence/ipidsequence/tcptssequence `values`
// attributes, e.g. {0x1F, 0xABC} -> "1F,ABC"; empty list -> "".
[[nodiscard]] std::string hex_list(std::span<const std::uint32_t> values);
[[nodiscard]] std::string hex_list(std::span<const std::uint16_t> values);

} // namespace stackprint::response_tests
