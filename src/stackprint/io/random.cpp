#include "stackprint/io/random.hpp"

#include <sys/random.h>

namespace stackprint::io {

std::uint32_t RandomSource::below(std::uint32_t bound) {
  if (bound == 0) { return 0; }
  // Reject the top partial range so every residue is equally likely.
  const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound + 1) % bound;
  std::uint32_t value = next_u32();
  while (value > limit) { value = next_u32(); }
  return value % bound;
}

std::uint64_t system_seed() {
  std::uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) { return seed; }
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

} // namespace stackprint::io
