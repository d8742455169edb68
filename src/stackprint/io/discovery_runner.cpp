#include "stackprint/io/discovery_runner.hpp"

#include <algorithm>
#include <deque>

#include "stackprint/discovery/probe_packet.hpp"

namespace stackprint::io {

Expected<RunStats> run_port_discovery(Transport& transport, discovery::PortDiscovery& discovery,
                                      targets::Ipv4Address source, const Clock& clock, const RunLimits& limits) {
  RunStats stats;
  const MonotonicTime started = clock.monotonic_now();
  const MonotonicTime give_up = started + limits.max_duration;
  std::deque<std::vector<std::uint8_t>> unsent; // built but refused with "would block"

  while (!discovery.finished()) {
    const MonotonicTime now = clock.monotonic_now();
    if (now >= give_up) {
      stats.stopped_by_time = true;
      break;
    }
    for (const auto& action : discovery.on_tick(now)) {
      unsent.push_back(discovery::probe_packet(action, source, limits.ttl));
    }
    bool blocked = false;
    while (!unsent.empty()) {
      if (stats.packets_sent >= limits.max_packets) {
        stats.stopped_by_packets = true;
        unsent.clear();
        break;
      }
      auto outcome = transport.send(unsent.front());
      if (!outcome) {
        return tl::unexpected(outcome.error());
      }
      if (*outcome == SendOutcome::would_block) {
        ++stats.send_retries;
        blocked = true;
        break;
      }
      unsent.pop_front();
      ++stats.packets_sent;
    }
    if (stats.stopped_by_packets) {
      break;
    }
    if (discovery.finished()) {
      break; // the tick's expiries completed the last hosts
    }
    MonotonicTime wake = std::min(discovery.next_wakeup().value_or(give_up), give_up);
    if (blocked) {
      wake = std::min(wake, now + limits.send_retry_delay);
    }
    auto frames = transport.wait(std::max(wake, now));
    if (!frames) {
      return tl::unexpected(frames.error());
    }
    const MonotonicTime received = clock.monotonic_now();
    for (const CapturedFrame& frame : *frames) {
      ++stats.frames_received;
      discovery.on_frame(frame, received);
    }
  }
  return stats;
}

} // namespace stackprint::io
