#pragma once
// A whole live scan over one Transport: port discovery of target batches and OS detection of the
// hosts found up, at the same time. Hosts move through the pipeline one by one: a batch's discovery
// hands its up hosts to the OS scan, and a new batch starts as soon as there is room under
// `max_hosts_in_flight` (hosts being discovered plus hosts in OS detection).
//
// Why not Nmap's host groups: a group waits for its slowest host (one behind a rate limit, or one
// that keeps losing replies) before the next group's discovery starts, and OS detection of a host
// spends most of its time waiting (six SEQ probes 100 ms apart, then timeouts). Measured on an
// emulated /22 (README): 1,022 hosts took 12.3 s in sequential groups of 256 and 3.4 s as a single
// group of 1,024; keeping the pipeline full gets the second figure without holding every host.
//
// Every packet, discovery probes included, takes a token from the OS scan's rate limiter
// (engine/rate_limiter.hpp); OS probes are served first, since SEQ trains must keep their gaps.
//
// Frames go to the stage that holds their host (by source address, or for ICMP errors by the
// quoted packet's destination); the rest go to the OS scan, which counts them (foreign, malformed).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/engine/congestion.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

struct ScanPipelineLimits {
  std::size_t max_hosts_in_flight = 256; // discovering + OS detection; bounds memory
  std::size_t batch_size = 64;           // targets per discovery batch
  // A batch's discovery ends here even if probes are still outstanding (its hosts that did not
  // answer are then down), like Nmap's --host-timeout.
  std::chrono::steady_clock::duration discovery_timeout = std::chrono::seconds(60);
  // Longest single wait, so that `stop` is noticed promptly.
  std::chrono::steady_clock::duration max_wait = std::chrono::milliseconds(50);
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
  const std::atomic<bool>* stop = nullptr;
  Ipv4Address source;    // our address, for discovery probes
  std::uint8_t ttl = 64; // discovery probes' TTL
  // Congestion control (docs/congestion.md): when set, it is fed the scan's counters and its host
  // limit and rate apply from its next decision on. nullptr: --no-congestion-control.
  engine::CongestionController* congestion = nullptr;
};

struct ScanPipelineStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0; // IP total lengths of the packets sent
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0; // IP total lengths of the frames received
  std::uint64_t send_retries = 0;
  std::uint64_t packets_refused = 0; // SendOutcome::refused: a local firewall or no route (not sent)
  std::uint64_t batches = 0;
  std::size_t peak_hosts_in_flight = 0;
  std::uint64_t congestion_shrinks = 0;
  bool interrupted = false; // `stop` was raised
};

struct ScanPipelineHooks {
  // The next batch of at most `room` targets, as a PortDiscovery ready to run; nullopt when the
  // targets are exhausted. Called only while there is room.
  std::function<std::optional<discovery::PortDiscovery>(std::size_t room)> next_batch;
  // A batch's discovery ended (`timed_out`: at discovery_timeout). The callee reports the hosts
  // that are down and adds those that are up to the OS scan.
  std::function<void(discovery::PortDiscovery&& batch, bool timed_out)> on_batch_discovered;
  // A host's OS detection ended.
  std::function<void(engine::HostOsScan&& host)> on_host_done;
  // After each loop turn (progress reports). Optional.
  std::function<void()> on_idle;
  // The congestion controller changed the limits (for -v output). Optional.
  std::function<void(const engine::CongestionDecision& decision)> on_congestion;
};

// Runs until the targets are exhausted and every host is done, or `stop` is raised.
// Errors: a send the kernel rejects outright, a socket buffer that stays full, a capture failure.
[[nodiscard]] Expected<ScanPipelineStats> run_scan_pipeline(Transport& transport, engine::OsScan& scan,
                                                            const Clock& clock, const ScanPipelineHooks& hooks,
                                                            const ScanPipelineLimits& limits);

// The host a received frame concerns: its source, or for an ICMP error the destination of the
// packet it quotes (a router answering for the target). nullopt for frames that do not parse.
[[nodiscard]] std::optional<std::uint32_t> frame_host(const CapturedFrame& frame);

} // namespace stackprint::io
