#include "stackprint/io/pump.hpp"

#include <algorithm>
#include <thread>

namespace stackprint::io {
namespace {

// Sends one packet, retrying while the send buffer is full (briefly: the kernel drains it at line
// rate). A packet refused for its destination is counted and dropped: the stage that made it times
// it out like a lost one. True when the packet left.
Expected<bool> send_packet(Transport& transport, std::span<const std::uint8_t> bytes, const PumpLimits& limits,
                           PumpStats& stats) {
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

Expected<PumpStats> pump(Transport& transport, PumpedStage& stage, const Clock& clock, const PumpLimits& limits) {
  PumpStats stats;
  const MonotonicTime give_up = clock.monotonic_now() + limits.max_duration;
  const auto turn_done = [&] {
    if (limits.on_turn) { limits.on_turn(); }
  };
  while (true) {
    if (limits.stop && limits.stop()) {
      stats.interrupted = true;
      break;
    }
    const MonotonicTime now = clock.monotonic_now();
    if (now >= give_up) {
      stats.stopped_by_time = true;
      break;
    }
    stage.before_tick(now, transport);
    const auto count = stage.tick(now, clock.wall_now());
    if (!count) { return tl::unexpected(count.error()); }
    const std::uint64_t sent_before = stats.packets_sent + stats.packets_refused;
    for (std::size_t index = 0; index < *count; ++index) {
      if (stats.packets_sent + stats.packets_refused >= limits.max_packets) {
        stats.stopped_by_packets = true;
        break;
      }
      auto sent = send_packet(transport, stage.packet(index), limits, stats);
      if (!sent) { return tl::unexpected(sent.error()); }
      // The packet's own send time: the tick's time can be a whole burst of send calls earlier, and
      // SP/ISR divide by SEQ send times. DIVERGENCE(nmap): Nmap reads its clock before building and
      // sending each probe; we read it when the send call has returned, which is closer to the
      // moment the packet left: measured on veth, the first send after a wake-up spent ~30 us (up
      // to 80) in the kernel before the packet reached the interface, the others ~3 us, and that
      // difference alone moved SP by up to 9 for the first host of each burst (HP iLO 3).
      if (*sent) { stage.sent(index, clock.monotonic_now(), clock.wall_now()); }
    }
    turn_done();
    if (stage.finished() || stats.stopped_by_packets) { break; }

    // Wait for frames until the stage's next wake-up, at least a millisecond when the turn sent
    // nothing (a due wake-up that produced nothing must not spin); not at all while the stage has
    // work in hand.
    const MonotonicTime after = clock.monotonic_now();
    const bool sent_any = stats.packets_sent + stats.packets_refused != sent_before;
    const MonotonicTime floor = sent_any ? after : now + std::chrono::milliseconds(1);
    const MonotonicTime deadline =
        stage.busy() ? after
                     : std::min({std::max(stage.next_wakeup().value_or(after + limits.max_wait), floor),
                                 after + limits.max_wait, give_up});
    auto frames = transport.wait(deadline);
    if (!frames) { return tl::unexpected(frames.error()); }
    stats.frames_received += frames->size();
    for (const auto& frame : *frames) {
      // Nmap counts an ARP packet as its 28 bytes (docs/nmap-behaviour.md 5.4).
      stats.bytes_received += frame.arp_sender ? k_arp_packet_bytes : frame.ip_packet.size();
    }
    if (!frames->empty()) { stage.received(*frames, clock.monotonic_now()); }
  }
  turn_done();
  return stats;
}

} // namespace stackprint::io
