#pragma once
// Drives a discovery::PortDiscovery over a Transport until it finishes: the event loop of the port
// scan (tick -> send -> wait for frames or the next wakeup -> feed frames). Bounded in packets and
// time; with a LiveTransport it is the real scan, with a test transport it runs without root.

#include <chrono>
#include <cstdint>
#include <limits>

#include "stackprint/base/expected.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

struct RunLimits {
  std::uint64_t max_packets = std::numeric_limits<std::uint64_t>::max();
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24);
  // How long to wait before retrying when the socket buffer is full.
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
  std::uint8_t ttl = 64; // of the probes
};

struct RunStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t send_retries = 0; // would-block retries
  bool stopped_by_time = false;   // max_duration reached before the discovery finished
  bool stopped_by_packets = false; // max_packets reached (remaining probes were not sent)
};

// Runs `discovery` to completion (or until a limit stops it; its hosts() then hold partial
// results and those still probing). `source` is our address (route.source). Times come from
// `clock`; the transport's wait deadline is in the same monotonic time base.
// Errors: a send refused by the kernel or a capture failure (the message says which).
[[nodiscard]] Expected<RunStats> run_port_discovery(Transport& transport, discovery::PortDiscovery& discovery,
                                                    targets::Ipv4Address source, const Clock& clock,
                                                    const RunLimits& limits = {});

} // namespace stackprint::io
