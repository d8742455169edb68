#include "stackprint/io/scan_loop.hpp"

#include <algorithm>
#include <thread>

namespace stackprint::io {
namespace {

// Sends one packet, retrying while the socket buffer is full (briefly: the kernel drains it at
// line rate). A packet refused for its destination is counted and dropped: the stage that sent it
// times it out like a lost one. True when the packet left.
Expected<bool> send_packet(Transport& transport, std::span<const std::uint8_t> bytes, const ScanLoopLimits& limits,
                           ScanLoopStats& stats) {
  for (int attempt = 0;; ++attempt) {
    auto sent = transport.send(bytes);
    if (!sent) { return tl::unexpected(sent.error()); }
    if (*sent == SendOutcome::sent) {
      ++stats.packets_sent;
      stats.bytes_sent += bytes.size();
      return true;
    }
    if (*sent == SendOutcome::refused) {
      ++stats.packets_refused;
      return false;
    }
    if (attempt >= 100) { return fail("send buffer stayed full"); }
    ++stats.send_retries;
    std::this_thread::sleep_for(limits.send_retry_delay);
  }
}

} // namespace

Expected<ScanLoopStats> run_scan_session(Transport& transport, session::ScanSession& session, const Clock& clock,
                                         const ScanLoopLimits& limits) {
  ScanLoopStats stats;
  const MonotonicTime give_up = clock.monotonic_now() + limits.max_duration;
  const auto turn_done = [&] {
    if (limits.on_turn) { limits.on_turn(); }
  };
  while (true) {
    if (limits.stop != nullptr && limits.stop->load()) {
      stats.interrupted = true;
      break;
    }
    const MonotonicTime now = clock.monotonic_now();
    if (now >= give_up) {
      stats.stopped_by_time = true;
      break;
    }
    if (session.congestion_due(now)) { session.set_capture_drops(transport.capture_drops()); }
    const auto packets = session.on_tick(now, clock.wall_now());
    if (session.take_hosts_added() && limits.narrow_capture) {
      const auto hosts = session.hosts_in_flight(limits.max_filter_hosts);
      if (auto narrowed = limits.narrow_capture(hosts); !narrowed) { return tl::unexpected(narrowed.error()); }
    }
    const std::uint64_t sent_before = stats.packets_sent + stats.packets_refused;
    for (const auto& packet : packets) {
      if (stats.packets_sent + stats.packets_refused >= limits.max_packets) {
        stats.stopped_by_packets = true;
        break;
      }
      auto sent = send_packet(transport, packet.packet.bytes, limits, stats);
      if (!sent) { return tl::unexpected(sent.error()); }
      // The probe's own send time: the tick's time can be a whole burst of send calls earlier, and
      // SP/ISR divide by SEQ send times. DIVERGENCE(nmap): Nmap reads its clock before building and
      // sending each probe; we read it when the send call has returned, which is closer to the
      // moment the packet left: measured on veth, the first send after a wake-up spent ~30 us (up
      // to 80) in the kernel before the packet reached the interface, the others ~3 us, and that
      // difference alone moved SP by up to 9 for the first host of each burst (HP iLO 3).
      if (*sent) { session.on_sent(packet, clock.monotonic_now(), clock.wall_now()); }
    }
    turn_done();
    if (session.finished() || stats.stopped_by_packets) { break; }

    // Wait for frames until the session's next wake-up, at least a millisecond when nothing went
    // out (a due wake-up that produced nothing must not spin).
    const MonotonicTime after = clock.monotonic_now();
    const bool sent_any = stats.packets_sent + stats.packets_refused != sent_before;
    const MonotonicTime floor = sent_any ? after : now + std::chrono::milliseconds(1);
    const MonotonicTime deadline = std::min(
        {std::max(session.next_wakeup().value_or(after + limits.max_wait), floor), after + limits.max_wait, give_up});
    auto frames = transport.wait(deadline);
    if (!frames) { return tl::unexpected(frames.error()); }
    stats.frames_received += frames->size();
    for (const auto& frame : *frames) { stats.bytes_received += frame.ip_packet.size(); }
    const MonotonicTime received = clock.monotonic_now();
    for (const auto& frame : *frames) { session.on_frame(frame, received); }
  }
  turn_done();
  return stats;
}

} // namespace stackprint::io
