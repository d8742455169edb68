#include "stackprint/io/emulator_loop.hpp"

#include <algorithm>

#include "stackprint/emulation/packet_burst.hpp"

namespace stackprint::io {

Expected<EmulatorLoopStats> serve_emulator(TunDevice& tun, emulation::EmulatorService& service, const Clock& clock,
                                           const EmulatorLoopLimits& limits) {
  EmulatorLoopStats stats;
  const MonotonicTime give_up = clock.monotonic_now() + limits.max_duration;
  while (true) {
    if (limits.stop && limits.stop()) {
      stats.stopped = true;
      break;
    }
    if (clock.monotonic_now() >= give_up) { break; }
    const Timestamp now = clock.wall_now();
    for (const auto& reply : service.take_due(now)) {
      if (tun.write_packet(reply)) {
        ++stats.replies_written;
      } else {
        ++stats.write_errors;
      }
    }
    auto timeout = limits.max_wait;
    if (const auto next_due = service.next_due()) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next_due - now);
      timeout = std::clamp(until, std::chrono::milliseconds(0), limits.max_wait);
    }
    // Every packet already queued is read and stamped before the next one is answered, so a
    // packet's stamp lags its arrival by one answer at most (emulation/packet_burst.hpp). What does
    // not fit the inbox is dropped there and counted.
    if (service.has_unanswered()) { timeout = std::chrono::milliseconds(0); }
    auto burst = emulation::read_burst([&](int ms) { return tun.read_packet(ms); }, [&] { return clock.wall_now(); },
                                       static_cast<int>(timeout.count()), limits.max_read_batch);
    if (!burst) { return tl::unexpected(burst.error()); }
    stats.packets_read += burst->size();
    for (auto& packet : *burst) { service.receive(std::move(packet)); }
    service.answer_next();
  }
  return stats;
}

} // namespace stackprint::io
