#pragma once
// Merging the fingerprints of several OS-detection rounds (tries) into the one Nmap prints
// (docs/nmap-behaviour.md 1.4, Nmap's mergeFPs):
//   1. all tests of all rounds, stable-sorted by the fixed order SEQ OPS WIN ECN T1..T7 U1 IE
//      (rounds keep their order; a name outside that list sorts after IE);
//   2. a later test is dropped when an earlier kept one has the same name AND the same list of
//      attribute names; values are NOT compared (7.93 quirk), so round 1's values win;
//   3. zero rounds print "(None)", more than 32 print "(Too many)".
// The rounds' own `scan` members are ignored; the SCAN line is passed separately, as Nmap builds
// it at print time. Matching never uses the merged fingerprint, only one round's.

#include <optional>
#include <span>
#include <string>

#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::fingerprint {

// Nmap's limit on rounds in one printed fingerprint (more print "(Too many)").
inline constexpr std::size_t k_max_merged_rounds = 32;

// Steps 1 and 2. Works for any number of rounds (0 gives just `scan`).
[[nodiscard]] Fingerprint merge_rounds(std::span<const Fingerprint> rounds, std::optional<TestLine> scan = {});

enum class FingerprintLayout { plain, wrapped };

// What Nmap prints: "(None)" (no newline) for 0 rounds, "(Too many)" for more than 32, otherwise
// format_plain/format_wrapped of merge_rounds(rounds, scan).
[[nodiscard]] std::string format_merged(std::span<const Fingerprint> rounds, const std::optional<TestLine>& scan,
                                        FingerprintLayout layout);

} // namespace stackprint::fingerprint
