#pragma once
// A whole scan on the one io loop (io/pump.hpp): a session::ScanSession over one Transport. The
// session decides everything (batches, hand-over, rate, congestion, rounds); the loop sends its
// packets, reports each one's send time back (SP, ISR and TS are rates over SEQ send times), waits
// for frames until the session's next wake-up and feeds them in. What is the scan's own: the capture
// is narrowed to the hosts in flight whenever hosts enter the session, and the capture's drop
// counter is read when congestion control is due. Bounded in packets and in time
// (ScanLoopLimits), besides `stop` and the session's own deadlines. `stackprint scan` runs it over
// a LiveTransport, the unit tests over simulated networks.

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
#include "stackprint/io/pump.hpp"
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

// What the loop did (io/pump.hpp).
using ScanLoopStats = PumpStats;

// Runs until the session finishes, `stop` is raised or a limit is reached.
// Errors: a send the kernel rejects outright, a socket buffer that stays full, a capture failure,
// a capture filter that cannot be set.
[[nodiscard]] Expected<ScanLoopStats> run_scan_session(Transport& transport, session::ScanSession& session,
                                                       const Clock& clock, const ScanLoopLimits& limits = {});

} // namespace stackprint::io
