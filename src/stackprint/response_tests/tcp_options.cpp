#include "stackprint/response_tests/tcp_options.hpp"

#include <optional>

#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {
namespace {

// Nmap's result buffer is 256 bytes and the loop runs while fewer than 256 - 5 are written.
constexpr std::size_t k_max_option_string = 251;

// Reads option bytes from the option area, then from what follows it.
class OptionBytes {
public:
  OptionBytes(std::span<const std::uint8_t> options, std::span<const std::uint8_t> after)
      : m_options(options), m_after(after) {}
  [[nodiscard]] std::optional<std::uint8_t> at(std::size_t i) const {
    if (i < m_options.size()) return m_options[i];
    if (i - m_options.size() < m_after.size()) return m_after[i - m_options.size()];
    return std::nullopt;
  }

private:
  std::span<const std::uint8_t> m_options;
  std::span<const std::uint8_t> m_after;
};

} // namespace

// O, O1..O6: TCP options in order, with values (Nmap's get_tcpopt_string).
std::string tcp_option_string(std::span<const std::uint8_t> options, OptionWalk walk,
                              std::span<const std::uint8_t> bytes_after_options) {
  const OptionBytes bytes(options,
                          walk == OptionWalk::nmap_7_93 ? bytes_after_options : std::span<const std::uint8_t>{});
  std::string out;
  std::size_t q = 0;                                    // read position
  auto length = static_cast<long long>(options.size()); // option bytes Nmap believes remain
  while (length > 0 && out.size() < k_max_option_string) {
    const auto kind = bytes.at(q++);
    if (!kind) return "";
    if (*kind == 0) {
      out += 'L';
      --length;
    } else if (*kind == 1) {
      out += 'N';
      --length;
    } else if (*kind == 2) {
      if (length < 4) break;
      const auto hi = bytes.at(q + 1);
      const auto lo = bytes.at(q + 2);
      if (!hi || !lo) return "";
      out += 'M';
      out += hex(static_cast<unsigned>(*hi << 8 | *lo));
      q += 3;
      length -= 4;
    } else if (*kind == 3) {
      if (length < 3) break;
      const auto shift = bytes.at(q + 1);
      if (!shift) return "";
      out += 'W';
      out += hex(*shift);
      q += 2;
      length -= 3;
    } else if (*kind == 4) {
      if (length < 2) break;
      out += 'S'; // its length byte is skipped unread
      q += 1;
      length -= 2;
    } else if (*kind == 8) {
      if (length < 10) break;
      bool tsval = false;
      bool tsecr = false;
      for (std::size_t i = 0; i < 8; ++i) {
        const auto b = bytes.at(q + 1 + i);
        if (!b) return "";
        (i < 4 ? tsval : tsecr) |= *b != 0;
      }
      out += 'T';
      out += tsval ? '1' : '0';
      out += tsecr ? '1' : '0';
      q += 9;
      length -= 10;
    } else if (walk == OptionWalk::skip_unknown_by_length) {
      const auto len = bytes.at(q);
      if (!len || *len < 2 || *len > length) return "";
      q += *len - 1u;
      length -= *len;
    }
    // nmap_7_93: unknown kind, one byte consumed, `length` unchanged (the quirk).
  }
  if (length > 0) return ""; // truncated option, or the string grew too long
  return out;
}

} // namespace stackprint::response_tests
