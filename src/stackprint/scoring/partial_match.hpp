#pragma once
// Matching a subject fingerprint on the tests that are really there.
//
// DIVERGENCE(nmap): Nmap matches every `NAME(R=N)` line as the target's answer. When the silence of
// a probe kind was blamed on a filter (responses/probe_silence.hpp), stackprint matches the round
// without those lines: a test missing from the subject costs and earns nothing (docs/nmap-behaviour.md 3.1), so
// the references are compared on what the target did answer. The printed fingerprint keeps Nmap's
// R=N lines; only the subject handed to the Matcher changes. `--no-partial-match` restores Nmap's
// matching. With nothing filtered the subject is the round's fingerprint unchanged, so the result
// is Nmap's exactly. The live engine's per-round retry judge (engine::RoundJudge) still uses Nmap's
// matching: it only decides whether another round is worth sending.

#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::scoring {

// Nmap's 13 test lines in printed order: SEQ OPS WIN ECN T1..T7 U1 IE.
[[nodiscard]] const std::vector<std::string_view>& nmap_test_names();

// `subject` without the test lines named in `tests` (the SCAN line is kept).
[[nodiscard]] fingerprint::Fingerprint without_tests(const fingerprint::Fingerprint& subject,
                                                     const std::vector<std::string>& tests);

// Matches `subject` with the `filtered` lines left out (see above); `filtered` empty: matcher.match().
[[nodiscard]] MatchResult match_present_tests(Matcher& matcher, const fingerprint::Fingerprint& subject,
                                              const std::vector<std::string>& filtered);

// Which of Nmap's 13 test lines `subject` lacks, in Nmap's order (e.g. a fingerprint given to
// `stackprint match` without T5-T7). Lines Nmap does not know are ignored.
[[nodiscard]] std::vector<std::string> absent_tests(const fingerprint::Fingerprint& subject);

// "T2 T3 T4 T5 T6 T7 U1 IE": the names joined by single spaces.
[[nodiscard]] std::string join_test_names(const std::vector<std::string>& tests);

// Parses a user's list of test names, a name list (base/name_list.hpp: "T2-T7,U1,IE") of Nmap's
// test lines. Returns them in Nmap's order without duplicates; an error names the first unknown
// name.
[[nodiscard]] Expected<std::vector<std::string>> parse_test_list(std::string_view text);

} // namespace stackprint::scoring
