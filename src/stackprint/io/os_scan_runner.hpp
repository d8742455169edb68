#pragma once
// Drives an engine::OsScan over a Transport: tick -> send -> wait for frames or the next wake-up ->
// feed frames -> hand finished hosts to the caller, until no host is left in flight, a limit is
// reached or `stop` is raised (Ctrl-C). With a LiveTransport it is the live OS scan; with a test
// transport it runs without root.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "stackprint/base/expected.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

struct OsScanRunLimits {
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24);
  // Longest single wait, so that `stop` is noticed promptly.
  std::chrono::steady_clock::duration max_wait = std::chrono::milliseconds(50);
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
  const std::atomic<bool>* stop = nullptr;
};

struct OsScanRunStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t send_retries = 0;
  std::uint64_t packets_refused = 0; // SendOutcome::refused: a local firewall or no route (not sent)
  bool interrupted = false;          // `stop` was raised
  bool stopped_by_time = false;      // max_duration reached
};

// Hosts are handed to `on_finished` as soon as they finish. `on_idle`, when set, is called after
// each loop turn (progress reports); it may add hosts to `scan` (streaming host groups).
[[nodiscard]] Expected<OsScanRunStats> run_os_scan(Transport& transport, engine::OsScan& scan, const Clock& clock,
                                                   const std::function<void(engine::HostOsScan&&)>& on_finished,
                                                   const OsScanRunLimits& limits = {},
                                                   const std::function<void()>& on_idle = {});

} // namespace stackprint::io
