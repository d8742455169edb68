#include "stackprint/emulation/generators.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace stackprint::emulation {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t value) {
  SplitMix rng(seed ^ (value * 0xD6E8FEB86659FD93ULL));
  rng.next();
  return rng.next();
}

std::uint64_t mix_seed(std::uint64_t seed, std::string_view key) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : key) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001B3ULL;
  }
  return mix_seed(seed, hash);
}

std::uint64_t isn_multiplier(const IsnPlan& plan, int from, int to, double dt_seconds) {
  if (plan.gcd == 0 || from < 0 || to > 5 || from >= to) return 0;
  if (plan.time_scaled) {
    double rate = 0.0;
    for (int i = from; i < to; ++i) rate += plan.rates[static_cast<std::size_t>(i)];
    rate /= static_cast<double>(to - from);
    // At most 2^31 - 1 per step: Nmap's MOD_DIFF reads larger steps the other way round.
    const double step = std::clamp(rate * std::max(dt_seconds, 0.0), 0.0, 2147483000.0);
    return static_cast<std::uint64_t>(std::llround(step / static_cast<double>(plan.gcd)));
  }
  std::uint64_t k = 0;
  for (int i = from; i < to; ++i) k += plan.steps[static_cast<std::size_t>(i)];
  return k;
}

std::uint16_t next_ip_id(const IpIdPlan& plan, std::uint32_t& counter, SplitMix& rng) {
  counter &= 0xFFFFU;
  switch (plan.kind) {
  case IpIdKind::zero: return 0;
  case IpIdKind::constant: return plan.constant;
  case IpIdKind::increments: counter = (counter + 1U) & 0xFFFFU; break;
  case IpIdKind::broken_increments: counter = (counter + 256U) & 0xFFFFU; break;
  case IpIdKind::random_increments: {
    auto step = static_cast<std::uint32_t>(1001 + rng.below(1999));
    if (step % 256U == 0) ++step;
    counter = (counter + step) & 0xFFFFU;
    break;
  }
  case IpIdKind::random: {
    // Every step jumps by more than 20000 (up, or down which wraps in 32 bits): RD for any 3
    // samples, and never two equal IDs in a row (Nmap drops such SEQ replies as duplicates).
    if (counter >= 32768U) {
      counter = static_cast<std::uint32_t>(rng.below(counter - 20000U));
    } else {
      counter = counter + 20001U + static_cast<std::uint32_t>(rng.below(65535U - counter - 20001U + 1U));
    }
    counter &= 0xFFFFU;
    break;
  }
  }
  return static_cast<std::uint16_t>(counter);
}

void rebase_ip_id_counter(const IpIdPlan& plan, std::uint32_t& counter, SplitMix& rng) {
  counter &= 0xFFFFU;
  switch (plan.kind) {
  case IpIdKind::increments:
  case IpIdKind::random_increments:
    if (counter > 65535U - 40000U) counter = static_cast<std::uint32_t>(1 + rng.below(8192));
    break;
  case IpIdKind::broken_increments:
    if (counter > 65535U - 40U * 256U) counter = static_cast<std::uint32_t>(rng.below(64)) * 256U + (counter & 0xFFU);
    break;
  case IpIdKind::zero:
  case IpIdKind::constant:
  case IpIdKind::random: break;
  }
}

std::uint32_t timestamp_value(const TimestampPlan& plan, double seconds, std::uint32_t offset) {
  switch (plan.kind) {
  case TimestampKind::zero:
  case TimestampKind::unsupported: return 0;
  case TimestampKind::clock: break;
  }
  const double ticks = std::floor(std::max(seconds, 0.0) * plan.hz);
  const double wrapped = std::fmod(ticks, 4294967296.0);
  const auto value = static_cast<std::uint32_t>(static_cast<std::uint64_t>(wrapped) + offset);
  return value == 0 ? 1 : value;
}

} // namespace stackprint::emulation
