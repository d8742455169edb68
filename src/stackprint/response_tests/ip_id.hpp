#pragma once
// IP ID sequence tests: SEQ.TI, SEQ.CI, SEQ.II and SEQ.SS (docs/nmap-behaviour.md 4.8; Nmap's
// get_ipid_sequence_16 / identify_sequence / make_aval_ipid_seq in 7.93), and the
// "IP ID Sequence Generation" words of the verbose output (5.1).
//
// Samples are IPv4 IP IDs (0..65535) carried in uint32_t, as Nmap stores them; differences are
// taken in 32-bit unsigned arithmetic, which is what makes a wrapping counter look random (RD).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace stackprint::response_tests {

enum class IpIdClass {
  unknown,            // not enough samples, or no rule fits: the attribute is left out
  zero,               // Z: every sample 0
  constant,           // all differences 0: printed as the first IP ID in hex
  incremental,        // I: every difference <= 9
  incremental_by_2,   // every difference even: printed as I too (7.93)
  broken_incremental, // BI: every difference a multiple of 256 and <= 5120
  random_positive,    // RI
  random,             // RD: some 32-bit difference > 20000 with more than 2 samples
};

// Minimum sample counts below which Nmap does not classify (class unknown, attribute left out).
inline constexpr std::size_t k_min_ti_samples = 3; // SEQ replies
inline constexpr std::size_t k_min_ci_samples = 2; // T5..T7 replies
inline constexpr std::size_t k_min_ii_samples = 2; // IE replies (non-retransmitted probes)

// Packs the present samples to the front, keeping their order (Nmap marks missing ones with
// 0xFFFFFFFF and compacts them away before classifying).
[[nodiscard]] std::vector<std::uint32_t> compact_ip_ids(std::span<const std::optional<std::uint16_t>> samples);

// SEQ.TI/CI/II classifier on already compacted samples, in this exact order:
//  - fewer than 2 samples: unknown;
//  - 32-bit diffs id[i+1]-id[i]; with more than 2 samples the first diff > 20000 gives RD;
//  - all samples 0: Z;
//  - diffs masked to 16 bits; if `scanning_localhost` and every diff >= 2: each diff that is a
//    multiple of 256 loses 256, any other loses 1;
//  - all diffs 0: constant; any diff > 1000 and (not a multiple of 256, or >= 25600): RI;
//    all multiples of 256 and <= 5120: BI; all even: incr-by-2; all <= 9: I; else unknown.
// No minimum count is applied here (see classify_ti/ci/ii).
[[nodiscard]] IpIdClass classify_ip_ids(std::span<const std::uint32_t> ids, bool scanning_localhost);

// The same with Nmap's minimum counts: TI needs 3 samples, CI and II need 2.
[[nodiscard]] IpIdClass classify_ti(std::span<const std::uint32_t> ids, bool scanning_localhost);
[[nodiscard]] IpIdClass classify_ci(std::span<const std::uint32_t> ids, bool scanning_localhost);
[[nodiscard]] IpIdClass classify_ii(std::span<const std::uint32_t> ids, bool scanning_localhost);

// The TI/CI/II attribute value: "Z", "RD", "RI", "BI", "I" (incr-by-1 and incr-by-2), the first
// sample in hex for constant; nullopt (attribute left out) for unknown or an empty list.
[[nodiscard]] std::optional<std::string> ip_id_value(IpIdClass cls, std::span<const std::uint32_t> ids);

// SEQ.SS: present only when both TI and II are incremental (by 1, not by 2), BI or RI.
// avg = (last TI - first TI) / (nTI - 1) in u32; "S" if first II < last TI + 3*avg (u32, no 16-bit
// wrap handling), else "O". nullopt when left out (also when a list is too short to compute).
[[nodiscard]] std::optional<std::string> shared_ip_id_value(IpIdClass ti_class, std::span<const std::uint32_t> ti_ids,
                                                            IpIdClass ii_class, std::span<const std::uint32_t> ii_ids);

// "IP ID Sequence Generation:" text of the verbose output, from the TI class (printed by Nmap only
// when more than 2 SEQ responses came): "Incremental", "All zeros", "Busy server or unknown class"...
[[nodiscard]] const char* ip_id_class_words(IpIdClass cls);

} // namespace stackprint::response_tests
