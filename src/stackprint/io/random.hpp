#pragma once
// Where a scan's seed comes from when --seed is absent. The generators and Nmap's value ranges are
// pure and live in base/random_source.hpp; only reading the kernel's entropy is the shell's.

#include <cstdint>

namespace stackprint::io {

// A seed from the kernel's random source (getrandom); falls back to std::random_device.
[[nodiscard]] std::uint64_t system_seed();

} // namespace stackprint::io
