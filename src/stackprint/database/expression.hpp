#pragma once
// Value expressions of nmap-os-db reference entries (`T=3B-45`, `O1=|M5B4`, `GCD=1|>1000000`),
// compiled once at load time so matching never re-parses text.
//
// Two semantics are supported:
// - `nmap_7_93`: bit-for-bit the behaviour of Nmap 7.93's expr_match, bugs included (docs/nmap-behaviour.md 2.3):
//   an empty observed value is the number 0; a non-last literal alternative is a prefix test (so an
//   empty non-last alternative matches everything); a '-' anywhere later in the expression puts every
//   earlier numeric alternative in range mode, where it can only match as a range.
// - `fixed`: the intended meaning as fixed after 7.93 (docs/nmap-behaviour.md 7): exact literal comparison, an empty
//   alternative matches only the empty value, ranges and comparisons apply only inside their own
//   alternative and compare hex numbers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackprint::database {

enum class Semantics : std::uint8_t {
  nmap_7_93, // exact Nmap 7.93 behaviour (default; reproduces Nmap's accuracy lists)
  fixed,     // post-7.93 intended behaviour
};

// Result of emulating glibc `strtol(text + pos, &end, 16)`: leading white space, an optional sign, an
// optional "0x" prefix, then hex digits. `value` saturates at the limits of a 64-bit long, as glibc
// does; `end` is the index where parsing stopped (== pos when no digit was read, like strtol's nptr).
struct HexParse {
  std::int64_t value = 0;
  std::size_t end = 0;
};
[[nodiscard]] HexParse parse_hex_like_strtol(std::string_view text, std::size_t pos);

// An observed (subject) value, analysed once per subject so that every expression test is cheap.
struct ObservedValue {
  std::string_view text;
  // 7.93: `strtol` consumed the whole string (an empty string counts, as the number 0).
  bool numeric_793 = false;
  // 7.93: the parsed number converted to `unsigned int` as Nmap does (modulo 2^32).
  std::uint32_t number_793 = 0;
  // fixed: non-empty and made only of hex digits.
  bool all_hex = false;
  // fixed: more than 8 significant hex digits (greater than every number an expression can hold).
  bool huge = false;
  // fixed: the number when all_hex and not huge.
  std::uint32_t number = 0;
};
[[nodiscard]] ObservedValue observe(std::string_view text);

// One `|`-separated alternative, pre-decoded for both semantics.
struct Alternative {
  // What 7.93 does with this alternative when the observed value is numeric.
  enum class NumericMode : std::uint8_t {
    literal, // plain text comparison
    less,    // value < lo
    greater, // value > lo
    range,   // lo <= value <= hi
    never,   // a malformed comparison or range mode without a well-formed range: cannot match
  };
  // What the fixed semantics does with this alternative.
  enum class FixedMode : std::uint8_t { literal, less, greater, range };

  std::string literal; // the alternative's text
  bool last = false;   // the last alternative (7.93 compares it exactly, others by prefix)
  NumericMode numeric_793 = NumericMode::literal;
  std::uint32_t lo_793 = 0; // 7.93 numbers (already converted to unsigned int)
  std::uint32_t hi_793 = 0;
  FixedMode fixed = FixedMode::literal;
  std::uint32_t lo = 0; // fixed numbers
  std::uint32_t hi = 0;
};

// A compiled expression. Any text compiles (even malformed ones behave exactly as Nmap would);
// use check_expression() to reject malformed database text.
class Expression {
public:
  [[nodiscard]] static Expression compile(std::string_view text);

  [[nodiscard]] bool matches(const ObservedValue& value, Semantics semantics) const;
  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] const std::vector<Alternative>& alternatives() const { return m_alternatives; }

private:
  [[nodiscard]] bool matches_793(const ObservedValue& value) const;
  [[nodiscard]] bool matches_fixed(const ObservedValue& value) const;

  std::string m_text;
  std::vector<Alternative> m_alternatives;
  bool m_has_empty_alternative = false;
  // One alternative that both semantics compare as plain text (most DB values: `Y`, `M5B4`, `S+`).
  bool m_single_literal = false;
};

// Why `text` is not a well-formed reference expression, or nullopt when it is. Well-formed means:
// alternatives separated by '|', each empty, a literal of [0-9A-Za-z+_.], `<x` / `>x`, or `lo-hi`
// with lo <= hi, all numbers 1 to 8 hex digits (no huge values).
[[nodiscard]] std::optional<std::string> check_expression(std::string_view text);

} // namespace stackprint::database
