#pragma once
// The random values of a scan, in one place: the generator interface the shell draws from, and the
// ranges Nmap 7.93 draws each probe value from (docs/nmap-behaviour.md; probes/probe_catalogue.hpp
// lists which probe field takes which value). The OS-detection engine, port discovery's set-up and
// the emulator's self-check all turn raw draws into values through these functions, so a range
// changed here changes every one of them alike.
//
// Pure code never seeds from the environment: the shell picks a seed (io/random.hpp) and passes
// generators or draws in, so `--seed` repeats a run exactly.

#include <cstdint>
#include <random>

namespace stackprint {

// A source of uniform 32-bit draws.
class RandomSource {
public:
  RandomSource() = default;
  RandomSource(const RandomSource&) = default;
  RandomSource& operator=(const RandomSource&) = default;
  RandomSource(RandomSource&&) = default;
  RandomSource& operator=(RandomSource&&) = default;
  virtual ~RandomSource() = default;
  [[nodiscard]] virtual std::uint32_t next_u32() = 0;

  [[nodiscard]] std::uint16_t next_u16() { return static_cast<std::uint16_t>(next_u32() >> 16); }
  // Uniform in [0, bound) for bound >= 1 (rejection sampling, no modulo bias); 0 for bound 0.
  [[nodiscard]] std::uint32_t below(std::uint32_t bound);
  // Uniform in [low, high] (low <= high).
  [[nodiscard]] std::uint32_t between(std::uint32_t low, std::uint32_t high) { return low + below(high - low + 1); }
};

// A deterministic generator (std::mt19937) for a given seed: tests and reproducible runs.
class SeededRandom final : public RandomSource {
public:
  explicit SeededRandom(std::uint64_t seed) : m_engine(static_cast<std::mt19937::result_type>(seed ^ (seed >> 32))) {}
  [[nodiscard]] std::uint32_t next_u32() override { return static_cast<std::uint32_t>(m_engine()); }

private:
  std::mt19937 m_engine;
};

// Nmap's ranges, each a function of one raw draw (any width; only its value modulo the range's
// span matters). Taking a draw rather than a generator lets each caller keep its own generator and
// draw order, so a seeded run repeats exactly.
namespace draws {

// OS-detection source ports: a "magic port" 33000 + draw % 31000 per run, and the TCP and UDP
// probe bases a further 0..255 above it.
inline constexpr std::uint32_t k_magic_port_low = 33000;
inline constexpr std::uint32_t k_magic_port_span = 31000;
[[nodiscard]] constexpr std::uint16_t magic_port(std::uint64_t draw) {
  return static_cast<std::uint16_t>(k_magic_port_low + draw % k_magic_port_span);
}
[[nodiscard]] constexpr std::uint16_t port_base_offset(std::uint64_t draw) {
  return static_cast<std::uint16_t>(draw % 256);
}

// IP ID of a TCP or ICMP probe: never 0.
[[nodiscard]] constexpr std::uint16_t probe_ip_id(std::uint64_t draw) {
  return static_cast<std::uint16_t>(1 + draw % 65535);
}
// IP ID of the second echo probe, given the first's: its 16-bit difference from the first lies in
// 1001..65535 and is no multiple of 256, so that a stack that copies each echo request's IP ID into
// its reply reads II=RI (docs/nmap-behaviour.md 4.8), the value two independent draws give in about
// 98 of 100 runs; never 0.
[[nodiscard]] constexpr std::uint16_t echo_pair_ip_id(std::uint16_t first, std::uint64_t draw) {
  constexpr std::uint32_t k_low = 1001;
  constexpr std::uint32_t k_span = 65536 - k_low;
  auto difference = static_cast<std::uint32_t>(k_low + draw % k_span);
  for (;;) {
    const auto second = static_cast<std::uint16_t>(first + difference);
    if (difference % 256 != 0 && second != 0) { return second; }
    difference = difference == 65535 ? k_low : difference + 1;
  }
}
// TTL of a TCP or ICMP probe (without --ttl): 37..59.
[[nodiscard]] constexpr std::uint8_t probe_ttl(std::uint64_t draw) { return static_cast<std::uint8_t>(37 + draw % 23); }
// TTL of the U1 probe, once per round: 51..64.
[[nodiscard]] constexpr std::uint8_t udp_probe_ttl(std::uint64_t draw) {
  return static_cast<std::uint8_t>(51 + draw % 14);
}
// The SEQ probes' sequence-number base and the ACK value: any 32-bit value.
[[nodiscard]] constexpr std::uint32_t sequence_number(std::uint64_t draw) { return static_cast<std::uint32_t>(draw); }
// The ICMP echo id: any 16-bit value.
[[nodiscard]] constexpr std::uint16_t echo_id(std::uint64_t draw) { return static_cast<std::uint16_t>(draw); }
// The closed port assumed when the port scan found none: 30000..44780 (docs/nmap-behaviour.md 4.2).
[[nodiscard]] constexpr std::uint16_t fallback_closed_port(std::uint64_t draw) {
  return static_cast<std::uint16_t>(30000 + draw % 14781);
}

// Port discovery's TCP and UDP source ports: 33000..60999, drawn without modulo bias.
inline constexpr std::uint32_t k_discovery_port_low = 33000;
inline constexpr std::uint32_t k_discovery_port_high = 60999;
[[nodiscard]] inline std::uint16_t discovery_source_port(RandomSource& random) {
  return static_cast<std::uint16_t>(random.between(k_discovery_port_low, k_discovery_port_high));
}

} // namespace draws
} // namespace stackprint
