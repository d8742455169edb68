#pragma once
// Random values for a scan (sequence bases, source ports, IP IDs, TTLs, fallback ports). Pure code
// never draws: the shell draws from a RandomSource and passes the values in, so a run can be
// repeated exactly by seeding SeededRandom with the same seed.

#include <cstdint>
#include <random>

namespace stackprint::io {

class RandomSource {
public:
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

// A seed from the kernel's random source (getrandom); falls back to std::random_device.
[[nodiscard]] std::uint64_t system_seed();

} // namespace stackprint::io
