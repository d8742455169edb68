#include "stackprint/io/os_scan_runner.hpp"

#include <algorithm>
#include <thread>

namespace stackprint::io {

Expected<OsScanRunStats> run_os_scan(Transport& transport, engine::OsScan& scan, const Clock& clock,
                                     const std::function<void(engine::HostOsScan&&)>& on_finished,
                                     const OsScanRunLimits& limits, const std::function<void()>& on_idle) {
  OsScanRunStats stats;
  const auto started = clock.monotonic_now();
  while (scan.hosts_in_flight() > 0) {
    if (limits.stop != nullptr && limits.stop->load()) {
      stats.interrupted = true;
      break;
    }
    const auto now = clock.monotonic_now();
    if (now - started > limits.max_duration) {
      stats.stopped_by_time = true;
      break;
    }
    const auto packets = scan.tick(now, clock.wall_now());
    for (const auto& packet : packets) {
      for (int attempt = 0;; ++attempt) {
        // The probe's own send time, read right before its send call (as Nmap does): the tick's
        // time can be a whole burst of send calls earlier, and SP/ISR divide by SEQ send times.
        const auto leaving = clock.monotonic_now();
        const auto leaving_wall = clock.wall_now();
        auto sent = transport.send(packet.bytes);
        if (!sent) { return tl::unexpected(sent.error()); }
        if (*sent == SendOutcome::sent) {
          ++stats.packets_sent;
          scan.on_sent(packet, leaving, leaving_wall);
          break;
        }
        if (*sent == SendOutcome::refused) {
          // Refused for its destination (local firewall, no route): not sent, so never answered;
          // the engine times the probe out like a lost one. Retrying would not help.
          ++stats.packets_refused;
          break;
        }
        if (attempt >= 100) { return fail("send buffer stayed full"); }
        ++stats.send_retries;
        std::this_thread::sleep_for(limits.send_retry_delay);
      }
    }
    for (auto& host : scan.take_finished()) { on_finished(std::move(host)); }
    if (on_idle) { on_idle(); }
    if (scan.hosts_in_flight() == 0) { break; }
    const auto wake = scan.next_wakeup().value_or(now + limits.max_wait);
    // A wake-up that is already due but produced nothing this turn (rate limit, full window) must
    // not turn the loop into a spin: wait at least a millisecond for frames then.
    const auto floor = packets.empty() ? now + std::chrono::milliseconds(1) : clock.monotonic_now();
    const auto deadline = std::min(std::max(wake, floor), clock.monotonic_now() + limits.max_wait);
    auto frames = transport.wait(deadline);
    if (!frames) { return tl::unexpected(frames.error()); }
    stats.frames_received += frames->size();
    for (const auto& frame : *frames) { scan.on_frame(frame, clock.monotonic_now()); }
  }
  for (auto& host : scan.take_finished()) { on_finished(std::move(host)); }
  return stats;
}

} // namespace stackprint::io
