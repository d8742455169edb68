#include "stackprint/base/random_source.hpp"

#include <cstdint>

namespace stackprint {

std::uint32_t RandomSource::below(std::uint32_t bound) {
  if (bound == 0) { return 0; }
  // Reject the top partial range so every residue is equally likely.
  const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound + 1) % bound;
  std::uint32_t value = next_u32();
  while (value > limit) { value = next_u32(); }
  return value % bound;
}

} // namespace stackprint
