#pragma once
// The event loop that pumps any sans-I/O session over a Transport (ARCHITECTURE.md, "Sans-I/O"): port discovery
// today, the OS-detection rounds next. The session decides what to send and when; this loop only
// sends, reports actual send times back, waits for frames or the session's next wakeup, and feeds
// the frames in. Bounded in packets and time.
//
// A session type S provides (all times monotonic, io::MonotonicTime):
//   auto on_tick(MonotonicTime now)            -> a range of packets to send now, each with members
//                                                 `bytes` (IPv4 packet, contiguous bytes) and
//                                                 `tag` (std::uint64_t, the session's own label);
//   void on_sent(std::uint64_t tag, MonotonicTime sent_at)  when that packet left (Nmap's tests use
//                                                 send times: SEQ.SP/ISR/TS and the timing ratio);
//   void on_frame(const CapturedFrame&, MonotonicTime received_at);
//   std::optional<MonotonicTime> next_wakeup() const  (nullopt once finished; may be in the past);
//   bool finished() const.

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

template <typename S>
concept PacketSession = requires(S session, const S& view, MonotonicTime now, const CapturedFrame& frame,
                                 std::uint64_t tag) {
  {*std::begin(session.on_tick(now))};
  session.on_sent(tag, now);
  session.on_frame(frame, now);
  { view.next_wakeup() } -> std::convertible_to<std::optional<MonotonicTime>>;
  { view.finished() } -> std::convertible_to<bool>;
};

struct RunLimits {
  std::uint64_t max_packets = std::numeric_limits<std::uint64_t>::max();
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24);
  // How long to wait before retrying when the socket buffer is full.
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
};

struct RunStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t send_retries = 0;    // would-block retries
  std::uint64_t packets_refused = 0; // refused by the kernel for their destination (not sent)
  bool stopped_by_time = false;      // max_duration reached before the session finished
  bool stopped_by_packets = false;   // max_packets reached (the rest was not sent)
};

// Runs `session` until it finishes or a limit stops it. Packets a tick returns are sent in order;
// one refused with "would block" is retried after send_retry_delay, keeping the order; one the
// kernel refuses for its destination (SendOutcome::refused) is counted and skipped.
// Errors: a send refused by the kernel, or a capture failure.
template <PacketSession S>
[[nodiscard]] Expected<RunStats> run_session(Transport& transport, S& session, const Clock& clock,
                                             const RunLimits& limits = {}) {
  struct Unsent {
    std::vector<std::uint8_t> bytes;
    std::uint64_t tag = 0;
  };
  RunStats stats;
  const MonotonicTime give_up = clock.monotonic_now() + limits.max_duration;
  std::deque<Unsent> unsent;
  while (!session.finished()) {
    const MonotonicTime now = clock.monotonic_now();
    if (now >= give_up) {
      stats.stopped_by_time = true;
      break;
    }
    for (auto&& packet : session.on_tick(now)) {
      unsent.push_back(Unsent{std::vector<std::uint8_t>(std::begin(packet.bytes), std::end(packet.bytes)),
                              static_cast<std::uint64_t>(packet.tag)});
    }
    bool blocked = false;
    while (!unsent.empty()) {
      if (stats.packets_sent + stats.packets_refused >= limits.max_packets) {
        stats.stopped_by_packets = true;
        break;
      }
      auto outcome = transport.send(unsent.front().bytes);
      if (!outcome) { return tl::unexpected(outcome.error()); }
      if (*outcome == SendOutcome::would_block) {
        ++stats.send_retries;
        blocked = true;
        break;
      }
      if (*outcome == SendOutcome::refused) {
        // Not sent: no on_sent, so the session sees it as unanswered and times it out.
        ++stats.packets_refused;
        unsent.pop_front();
        continue;
      }
      session.on_sent(unsent.front().tag, clock.monotonic_now());
      unsent.pop_front();
      ++stats.packets_sent;
    }
    if (stats.stopped_by_packets || session.finished()) {
      break; // a tick's expiries may have completed the session
    }
    MonotonicTime wake = std::min(session.next_wakeup().value_or(give_up), give_up);
    if (blocked) { wake = std::min(wake, now + limits.send_retry_delay); }
    auto frames = transport.wait(std::max(wake, now));
    if (!frames) { return tl::unexpected(frames.error()); }
    const MonotonicTime received = clock.monotonic_now();
    for (const CapturedFrame& frame : *frames) {
      ++stats.frames_received;
      session.on_frame(frame, received);
    }
  }
  return stats;
}

} // namespace stackprint::io
