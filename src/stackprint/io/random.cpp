#include "stackprint/io/random.hpp"

#include <random>
#include <sys/random.h>

namespace stackprint::io {

std::uint64_t system_seed() {
  std::uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) { return seed; }
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

} // namespace stackprint::io
