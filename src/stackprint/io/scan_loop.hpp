#pragma once
// The io loop of a whole live scan: it pumps a session::ScanSession over one Transport. The session
// decides everything (batches, hand-over, rate, congestion, rounds); this loop sends its packets,
// reports each one's send time back (SP, ISR and TS are rates over SEQ send times), narrows the
// capture to the hosts in flight, waits for frames until the session's next wake-up and feeds them
// in. Bounded in packets and in time (ScanLoopLimits), besides `stop` and the session's own
// deadlines. This is the only loop that runs a scan: `stackprint scan` over a LiveTransport, the
// unit tests over simulated networks.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/io/capture_filter.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"
#include "stackprint/session/scan_session.hpp"

namespace stackprint::io {

struct ScanLoopLimits {
  std::uint64_t max_packets = std::numeric_limits<std::uint64_t>::max(); // sent or refused; then the loop stops
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24 * 365);
  // Longest single wait, so that `stop` is noticed promptly.
  std::chrono::steady_clock::duration max_wait = std::chrono::milliseconds(50);
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
  const std::atomic<bool>* stop = nullptr;
  // Narrows the capture to these hosts (empty: every host), called when hosts entered the session,
  // before their first probe leaves (LiveTransport::set_targets). Optional.
  std::function<Expected<void>(std::span<const Ipv4Address> hosts)> narrow_capture;
  std::size_t max_filter_hosts = k_max_filter_hosts;
  // After each loop turn, and once at the end: the caller takes the session's events here.
  std::function<void()> on_turn;
};

struct ScanLoopStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0; // IP total lengths of the packets sent
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0; // IP total lengths of the frames received
  std::uint64_t send_retries = 0;
  std::uint64_t packets_refused = 0; // SendOutcome::refused: a local firewall or no route (not sent)
  bool interrupted = false;          // `stop` was raised
  bool stopped_by_packets = false;   // max_packets reached (the rest was not sent)
  bool stopped_by_time = false;      // max_duration reached before the session finished
};

// Runs until the session finishes, `stop` is raised or a limit is reached.
// Errors: a send the kernel rejects outright, a socket buffer that stays full, a capture failure,
// a capture filter that cannot be set.
[[nodiscard]] Expected<ScanLoopStats> run_scan_session(Transport& transport, session::ScanSession& session,
                                                       const Clock& clock, const ScanLoopLimits& limits = {});

} // namespace stackprint::io
