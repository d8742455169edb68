#pragma once
// Nmap's subject fingerprint text, both ways (docs/nmap-behaviour.md 1.1 and 1.3).
//
// A test line is `NAME(attr=value%attr=value...)`. A fingerprint is printed either
//   - plain:   the SCAN line, then one test per line, each ending in '\n', no prefix
//              (Nmap's form when G=N, shown with -vv/-d);
//   - wrapped: SCAN and all tests concatenated with no separator, cut into lines of `OS:` plus
//              72 characters (75 in all), every line, the last included, ending in '\n'.
//
// parse_fingerprint() reads both forms back. Grammar it accepts (and why):
//   - Lines are split at '\n'; a trailing '\r' (CR LF files) and leading/trailing spaces and tabs
//     are dropped; blank lines are ignored anywhere (pasted text often has them around).
//   - A first non-blank line `TCP/IP fingerprint:` (Nmap's header in normal output) is skipped.
//   - If the first remaining line starts with `OS:`, the input is wrapped: every non-blank line
//     must start with `OS:`; the rest of the lines are joined without separators and read as
//     one stream of tests. Line lengths are not checked (hand-edited text may be re-wrapped).
//   - Otherwise it is plain: each line holds one or more complete tests (a test cannot span lines).
//   - Test names must be one of SCAN SEQ OPS WIN ECN T1..T7 U1 IE ("unknown test" otherwise).
//     Attribute names are 1+ ASCII letters/digits and are not checked against a per-test list, so a
//     fingerprint with attributes from a newer Nmap still parses. Values are any printable ASCII
//     except space, '%', '(', ')' and '='; a value may be empty (`Q=`, `O=`, `OT=`).
//     `NAME()` is a test with no attributes.
//   - SCAN may appear at most once and only before every other test.
//   - Duplicated tests: Nmap's merge of several rounds (1.4) keeps a repeated test only when its
//     list of attribute names differs from every earlier occurrence. We accept exactly that: a
//     repeated test whose attribute-name list equals an earlier one is rejected ("duplicate test").
//     Tests are kept in input order; Fingerprint::find() returns the first occurrence, which is the
//     one Nmap's merge printed first (round 1 wins).
//   - A repeated attribute name inside one test is rejected.
//   - Input with no test at all is rejected.
// Errors are one line: `line N: <what is wrong>` with N the 1-based input line where the offending
// test (or attribute) starts; offending bytes are shown escaped (\xNN) and cut short. No input
// makes it crash or read out of bounds, and hostile sizes stay O(n log n).
//
// Round trip: parse_fingerprint(format_plain(fp)) == fp and parse_fingerprint(format_wrapped(fp))
// == fp for every fingerprint that obeys the rules above (non-empty, valid names and values).

#include <string>
#include <string_view>

#include "stackprint/base/expected.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::fingerprint {

// Characters after `OS:` on each wrapped line (docs/nmap-behaviour.md 1.3: FP_RESULT_WRAP_LINE_LEN 74 with an
// off-by-one gives 72 characters of content, 75 with the prefix).
inline constexpr std::size_t k_wrap_content_width = 72;

// `NAME(a=1%b=)` with no newline.
[[nodiscard]] std::string format_test_line(const TestLine& test);

// SCAN line (if any) then every test, each followed by '\n'. Empty fingerprint -> "".
[[nodiscard]] std::string format_plain(const Fingerprint& fp);

// Everything concatenated, cut into `OS:` + 72-character lines, each ending in '\n'.
// Empty fingerprint -> "".
[[nodiscard]] std::string format_wrapped(const Fingerprint& fp);

// Parses either form (see the grammar above). A leading SCAN test goes to Fingerprint::scan.
[[nodiscard]] Expected<Fingerprint> parse_fingerprint(std::string_view text);

// True for the 14 names Nmap 7.93 prints: SCAN SEQ OPS WIN ECN T1..T7 U1 IE.
[[nodiscard]] bool is_known_test_name(std::string_view name);

// Position of a test name in Nmap's fixed print order SEQ, OPS, WIN, ECN, T1..T7, U1, IE
// (0..12); SCAN and unknown names give 13 (after everything).
[[nodiscard]] int nmap_test_order(std::string_view name);

} // namespace stackprint::fingerprint
