#pragma once
// Nmap's guess of the initial TTL a reply left its sender with (docs/nmap-behaviour.md 4.9): the
// smallest of 32, 64, 128 and 255 that is at least the received TTL. Used by the TG test, the
// emulator's choice of a T value consistent with TG, and the replay checks.

#include <cstdint>

namespace stackprint {

// 32 if ttl <= 32, 64 if <= 64, 128 if <= 128, else 255 (also for values above 255, which the
// emulator reads from database T ranges).
[[nodiscard]] constexpr int initial_ttl_guess(std::uint32_t ttl) noexcept {
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

} // namespace stackprint
