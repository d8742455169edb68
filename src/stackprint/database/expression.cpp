#include "stackprint/database/expression.hpp"

#include <limits>

#include "stackprint/base/hex.hpp"

namespace stackprint::database {

namespace {

constexpr std::size_t k_max_hex_digits = 8; // numbers in expressions are at most 32 bits

bool is_c_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

bool is_hex_text(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (hex_digit_value(c) < 0) return false;
  }
  return true;
}

// Hex text (already checked with is_hex_text) to a number; `huge` when it needs more than 32 bits.
std::uint32_t hex_number(std::string_view s, bool& huge) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  huge = s.size() > k_max_hex_digits;
  std::uint32_t n = 0;
  if (huge) return std::numeric_limits<std::uint32_t>::max();
  for (const char c : s) n = n * 16U + static_cast<std::uint32_t>(hex_digit_value(c));
  return n;
}

// Nmap stores strtol's long result in an `unsigned int`: keep the low 32 bits.
std::uint32_t to_unsigned_int(std::int64_t v) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)); }

} // namespace

HexParse parse_hex_like_strtol(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  while (i < text.size() && is_c_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // "0x" is a prefix only when a hex digit follows; otherwise the "0" alone is the number.
  if (i + 2 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
      hex_digit_value(text[i + 2]) >= 0) {
    i += 2;
  }
  const std::size_t digits_begin = i;
  // Accumulate the magnitude with saturation, like glibc (which reports ERANGE and clamps).
  constexpr auto k_limit_positive = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  constexpr std::uint64_t k_limit_negative = k_limit_positive + 1U;
  const std::uint64_t limit = negative ? k_limit_negative : k_limit_positive;
  std::uint64_t magnitude = 0;
  bool overflow = false;
  while (i < text.size()) {
    const int d = hex_digit_value(text[i]);
    if (d < 0) break;
    if (!overflow) {
      if (magnitude > (limit - static_cast<std::uint64_t>(d)) / 16U) {
        overflow = true;
      } else {
        magnitude = magnitude * 16U + static_cast<std::uint64_t>(d);
      }
    }
    ++i;
  }
  if (i == digits_begin) return HexParse{0, pos}; // no conversion: end is the start pointer
  HexParse r;
  r.end = i;
  if (overflow) {
    r.value = negative ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  } else if (negative) {
    r.value = magnitude == k_limit_negative ? std::numeric_limits<std::int64_t>::min()
                                            : -static_cast<std::int64_t>(magnitude);
  } else {
    r.value = static_cast<std::int64_t>(magnitude);
  }
  return r;
}

ObservedValue observe(std::string_view text) {
  ObservedValue v;
  v.text = text;
  const HexParse p = parse_hex_like_strtol(text, 0);
  // strtol("") stops at the terminating NUL, so Nmap sees an empty value as the number 0.
  v.numeric_793 = p.end == text.size();
  v.number_793 = to_unsigned_int(p.value);
  v.all_hex = is_hex_text(text);
  if (v.all_hex) v.number = hex_number(text, v.huge);
  return v;
}

Expression Expression::compile(std::string_view text) {
  Expression e;
  e.m_text = std::string(text);
  std::size_t p = 0;
  while (true) {
    const std::size_t bar = text.find('|', p);
    const std::size_t alt_end = bar == std::string_view::npos ? text.size() : bar;
    const std::string_view body = text.substr(p, alt_end - p);
    Alternative a;
    a.literal = std::string(body);
    a.last = bar == std::string_view::npos;
    if (body.empty()) e.m_has_empty_alternative = true;

    // 7.93, numeric observed value. A comparison must end exactly at this alternative's end.
    if (!body.empty() && (body.front() == '<' || body.front() == '>')) {
      const HexParse n = parse_hex_like_strtol(text, p + 1);
      if (n.end == alt_end) {
        a.numeric_793 = body.front() == '<' ? Alternative::NumericMode::less : Alternative::NumericMode::greater;
        a.lo_793 = to_unsigned_int(n.value);
      } else {
        a.numeric_793 = Alternative::NumericMode::never;
      }
    } else if (const std::size_t dash = text.find('-', p); dash != std::string_view::npos) {
      // Range mode is entered when a '-' occurs anywhere in the rest of the whole expression.
      const HexParse lo = parse_hex_like_strtol(text, p);
      a.numeric_793 = Alternative::NumericMode::never;
      if (lo.end == dash) {
        const HexParse hi = parse_hex_like_strtol(text, dash + 1);
        if (hi.end == alt_end) {
          a.numeric_793 = Alternative::NumericMode::range;
          a.lo_793 = to_unsigned_int(lo.value);
          a.hi_793 = to_unsigned_int(hi.value);
        }
      }
    }

    // fixed semantics: forms are recognised inside the alternative only.
    bool huge = false;
    if (body.size() >= 2 && (body.front() == '<' || body.front() == '>') && is_hex_text(body.substr(1))) {
      a.fixed = body.front() == '<' ? Alternative::FixedMode::less : Alternative::FixedMode::greater;
      a.lo = hex_number(body.substr(1), huge);
    } else if (const std::size_t dash = body.find('-'); dash != std::string_view::npos &&
                                                        is_hex_text(body.substr(0, dash)) &&
                                                        is_hex_text(body.substr(dash + 1))) {
      a.fixed = Alternative::FixedMode::range;
      a.lo = hex_number(body.substr(0, dash), huge);
      a.hi = hex_number(body.substr(dash + 1), huge);
    }
    e.m_alternatives.push_back(std::move(a));
    if (bar == std::string_view::npos) break;
    p = bar + 1;
  }
  e.m_single_literal = e.m_alternatives.size() == 1 &&
                       e.m_alternatives[0].numeric_793 == Alternative::NumericMode::literal &&
                       e.m_alternatives[0].fixed == Alternative::FixedMode::literal;
  return e;
}

bool Expression::matches(const ObservedValue& value, Semantics semantics) const {
  // The only alternative is also the last one: an exact comparison under both semantics.
  if (m_single_literal) return value.text == m_alternatives[0].literal;
  return semantics == Semantics::nmap_7_93 ? matches_793(value) : matches_fixed(value);
}

bool Expression::matches_793(const ObservedValue& value) const {
  for (const Alternative& a : m_alternatives) {
    if (value.numeric_793) {
      switch (a.numeric_793) {
      case Alternative::NumericMode::less:
        if (value.number_793 < a.lo_793) return true;
        continue;
      case Alternative::NumericMode::greater:
        if (value.number_793 > a.lo_793) return true;
        continue;
      case Alternative::NumericMode::range:
        if (value.number_793 >= a.lo_793 && value.number_793 <= a.hi_793) return true;
        continue;
      case Alternative::NumericMode::never: continue;
      case Alternative::NumericMode::literal: break;
      }
    }
    // strcmp for the last alternative; strncmp over the alternative's length (a prefix test) otherwise.
    if (a.last ? value.text == a.literal : value.text.starts_with(a.literal)) return true;
  }
  return false;
}

bool Expression::matches_fixed(const ObservedValue& value) const {
  if (value.text.empty()) return m_has_empty_alternative;
  for (const Alternative& a : m_alternatives) {
    switch (a.fixed) {
    case Alternative::FixedMode::less:
      if (value.all_hex && !value.huge && value.number < a.lo) return true;
      break;
    case Alternative::FixedMode::greater:
      if (value.all_hex && (value.huge || value.number > a.lo)) return true;
      break;
    case Alternative::FixedMode::range:
      if (value.all_hex && !value.huge && value.number >= a.lo && value.number <= a.hi) return true;
      break;
    case Alternative::FixedMode::literal:
      if (value.text == a.literal) return true;
      break;
    }
  }
  return false;
}

std::optional<std::string> check_expression(std::string_view text) {
  std::size_t p = 0;
  while (true) {
    const std::size_t bar = text.find('|', p);
    const std::string_view alt = text.substr(p, bar == std::string_view::npos ? std::string_view::npos : bar - p);
    const auto check_number = [](std::string_view digits, std::string_view whole) -> std::optional<std::string> {
      if (!is_hex_text(digits)) return "bad number in '" + std::string(whole) + "'";
      if (digits.size() > k_max_hex_digits)
        return "value too large in '" + std::string(whole) + "' (more than 32 bits)";
      return std::nullopt;
    };
    if (!alt.empty() && (alt.front() == '<' || alt.front() == '>')) {
      if (auto err = check_number(alt.substr(1), alt)) return "bad comparison: " + *err;
    } else if (const std::size_t dash = alt.find('-'); dash != std::string_view::npos) {
      const std::string_view lo = alt.substr(0, dash);
      const std::string_view hi = alt.substr(dash + 1);
      if (auto err = check_number(lo, alt)) return "bad range: " + *err;
      if (auto err = check_number(hi, alt)) return "bad range: " + *err;
      bool huge = false;
      if (hex_number(lo, huge) > hex_number(hi, huge))
        return "bad range '" + std::string(alt) + "': low end above high end";
    } else {
      for (const char c : alt) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+' ||
                        c == '_' || c == '.';
        if (!ok) return "bad character in value '" + std::string(text) + "'";
      }
      if (is_hex_text(alt) && alt.size() > k_max_hex_digits) {
        return "value too large in '" + std::string(alt) + "' (more than 32 bits)";
      }
    }
    if (bar == std::string_view::npos) return std::nullopt;
    p = bar + 1;
  }
}

} // namespace stackprint::database
