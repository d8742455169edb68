#pragma once
// The stateful number generators of an emulated stack, as small pure functions over explicit state:
// ISN steps between SEQ probes, IP ID counters per class, the TCP timestamp clock, and a seeded
// random source. Shared by the personality planner (which simulates a SEQ series to check that the
// plan gives the reference's SP/GCD/ISR) and the Responder (which runs them for real).

#include <cstdint>
#include <span>
#include <string_view>

#include "stackprint/emulation/personality.hpp"

namespace stackprint::emulation {

// SplitMix64: small, seedable, good enough for choosing values and jitter (not for secrets).
class SplitMix {
public:
  explicit SplitMix(std::uint64_t seed) : m_state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  // Uniform in [0, bound) (bound 0 gives 0).
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

private:
  std::uint64_t m_state;
};

// Mixes a seed with a text key (FNV-1a then SplitMix), for per-attribute and per-address seeds.
[[nodiscard]] std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t value);
[[nodiscard]] std::uint64_t mix_seed(std::uint64_t seed, std::string_view key);

// ISN difference between SEQ slot `from` and slot `to` (0..5, from < to) whose probes arrived
// `dt_seconds` apart, in units of plan.gcd: the sum of the planned steps in between, or in
// time-scaled mode round(mean planned rate * dt / gcd). A lost probe does not disturb later ones.
[[nodiscard]] std::uint64_t isn_multiplier(const IsnPlan& plan, int from, int to, double dt_seconds);

// Next IP ID of a counter of kind `plan` (`counter` holds the state, 0..65535).
[[nodiscard]] std::uint16_t next_ip_id(const IpIdPlan& plan, std::uint32_t& counter, SplitMix& rng);

// Called when a sample window starts (SEQ1 for TI, T5 for CI, IE1 for II): moves an incrementing
// counter away from the 16-bit wrap, which Nmap would read as RD, so the window stays clean.
void rebase_ip_id_counter(const IpIdPlan& plan, std::uint32_t& counter, SplitMix& rng);

// TSval of a clock ticking at `plan.hz` since `seconds` (monotonic, any origin) plus `offset`;
// never 0 for the clock kind; 0 for the zero kind.
[[nodiscard]] std::uint32_t timestamp_value(const TimestampPlan& plan, double seconds, std::uint32_t offset);

} // namespace stackprint::emulation
