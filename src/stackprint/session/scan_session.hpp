#pragma once
// A whole scan as one sans-I/O state machine (ARCHITECTURE.md, "Sans-I/O"): target batching, port
// discovery of each batch, the hand-over of the hosts found up to OS detection, the one global rate
// limiter (engine/rate_limiter.hpp), admission and congestion control (engine/congestion.hpp,
// docs/congestion.md) and the round judge. It is told the time, handed the frames captured, asked
// for the packets to send and its next wake-up, and reports what happened as events; the io loop
// (io/scan_loop.hpp) only moves packets. So a whole scan runs in a unit test on a simulated
// network, without root.
//
// Hosts move through the session one by one: a batch's discovery hands its up hosts to the OS scan,
// and a new batch starts as soon as there is room under `max_hosts_in_flight` (hosts being
// discovered plus hosts in OS detection). Why not Nmap's host groups: a group waits for its slowest
// host (one behind a rate limit, or one that keeps losing replies) before the next group's
// discovery starts, and OS detection of a host spends most of its time waiting (six SEQ probes
// 100 ms apart, then timeouts). Measured on an emulated /22 (README): 1,022 hosts took 12.3 s in
// sequential groups of 256 and 3.4 s as a single group of 1,024; keeping the session full gets the
// second figure without holding every host.
//
// Every packet, discovery probes included, takes a token from the OS scan's rate limiter. Under a
// rate limit SEQ probes are served first, since SEQ trains must keep their gaps, then discovery
// probes, then the other OS probes (on_tick explains why). Frames go to the stage that holds
// their host (by source address, or for ICMP errors by the quoted packet's destination); the rest
// go to the OS scan, which counts them (foreign, malformed).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/base/random_source.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/engine/congestion.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::session {

using Instant = engine::Instant;
using Duration = engine::Duration;

// What the reports need to know about a host besides its OS detection.
struct HostContext {
  targets::Target target;
  discovery::HostDiscovery discovery;
  bool direct = false;        // on our segment (no gateway): the MAC seen is the target's
  bool udp_port_scan = false; // discovery probed UDP ports (Nmap's -sU)
  std::int64_t start_s = 0;   // wall-clock second its discovery started
};

// The next target, a bad one (reported and skipped), or nullopt once the list is exhausted.
using TargetFeed = std::function<std::optional<Expected<targets::Target>>()>;

// A feed of `first` (taken from the back, as the shell looked them up first) and then `stream`.
// `stream` must outlive the feed.
[[nodiscard]] TargetFeed feed_targets(targets::TargetStream& stream, std::vector<targets::Target> first = {});

// The round judge of a scan: a perfect match ends a host; a round that missed a listed reference only
// on the values a new SEQ train redraws asks for one (engine/host_os_scan.hpp). `matcher` must
// outlive the judge.
[[nodiscard]] engine::RoundJudge round_judge(scoring::Matcher& matcher);

struct ScanSessionConfig {
  engine::OsScanConfig os;                            // source_address, tries, window, host timeout
  engine::RateLimit rate;                             // --max-rate
  std::optional<engine::CongestionConfig> congestion; // nullopt: --no-congestion-control
  discovery::PortLists discovery_ports;               // discovery::discovery_ports()
  Ipv4Address source;                                 // our address, for discovery probes
  std::uint8_t discovery_ttl = 64;
  Duration discovery_host_gap{0}; // --scan-delay in port discovery (DiscoveryConfig::host_send_gap)
  std::size_t max_hosts_in_flight = engine::k_default_group_size; // discovering + OS detection (--group-size)
  std::size_t batch_size = 256;                                   // targets per discovery batch
  // A batch's discovery ends here even if probes are still outstanding (its hosts that did not
  // answer are then down), like Nmap's --host-timeout.
  Duration discovery_timeout = std::chrono::seconds(60);
  bool direct = false;        // targets on our segment (HostContext::direct)
  bool udp_port_scan = false; // HostContext::udp_port_scan
  bool osscan_limit = false;  // skip OS detection of hosts without an open and a closed TCP port
  bool os_detection = true;   // false: port discovery alone (every up host is a HostSkipped)
  std::uint64_t seed = 0;     // every random value of the scan follows from it
};

// A packet to send. Report it with on_sent() once its send call has returned (not when refused).
struct SessionPacket {
  engine::OutgoingPacket packet; // for discovery probes only destination and bytes are meaningful
  bool os_probe = false;
};

// Events, in the order they happened.
struct HostDown {
  HostContext context;
};
struct HostSkipped { // up, but OS detection was not run (--osscan-limit, or os_detection false)
  HostContext context;
};
struct HostScanned {
  HostContext context;
  engine::HostOsScan os;
};
struct BadTarget {
  std::string message;
};
struct CongestionChanged {
  engine::CongestionDecision decision;
};
using SessionEvent = std::variant<HostDown, HostSkipped, HostScanned, BadTarget, CongestionChanged>;

struct SessionTotals {
  std::uint64_t hosts_up = 0;
  std::uint64_t hosts_down = 0;
  std::uint64_t hosts_fingerprinted = 0;
  std::uint64_t bad_targets = 0;
  std::uint64_t packets_sent = 0; // reported by on_sent
  std::uint64_t batches = 0;
  std::size_t peak_hosts_in_flight = 0;
  std::uint64_t congestion_shrinks = 0;
  std::uint64_t discovery_ignored = 0; // frames discovery could not use
  std::uint64_t unmatched = 0;         // from a host in OS detection but answering none of its probes
  std::uint64_t duplicates = 0;        // a second answer to an answered probe
};

class ScanSession {
public:
  ScanSession(ScanSessionConfig config, TargetFeed feed, engine::RoundJudge judge);

  // Packets to send now, all within the rate limit: under it SEQ probes first (their gaps matter),
  // then discovery probes, then the other OS probes; unlimited, OS probes then discovery probes.
  // Starts new batches while there is room, and hands each host on as soon as its discovery is
  // done.
  [[nodiscard]] std::vector<SessionPacket> on_tick(Instant now, Timestamp wall_now);
  // A packet from on_tick() left: the clocks read when its send call returned.
  void on_sent(const SessionPacket& packet, Instant sent_at, Timestamp wall_sent_at);
  void on_frame(const CapturedFrame& frame, Instant received_at);
  // The capture's cumulative drop counter (nullopt: it has none), for congestion control.
  void set_capture_drops(std::optional<std::uint64_t> dropped) { m_capture_drops = dropped; }

  // When on_tick() next has work; nullopt once finished. May be in the past.
  [[nodiscard]] std::optional<Instant> next_wakeup() const;
  [[nodiscard]] bool finished() const;
  [[nodiscard]] std::vector<SessionEvent> take_events();

  // Whether hosts entered the session since the last call (a capture filter narrowed to the hosts
  // in flight must then be widened; hosts that leave may stay in it).
  [[nodiscard]] bool take_hosts_added();
  // Whether on_tick() at `now` will consult congestion control (read the capture's drop counter
  // for set_capture_drops() only then: it may cost a system call).
  [[nodiscard]] bool congestion_due(Instant now) const { return m_congestion && m_congestion->due(now); }
  // The hosts in flight, or an empty list when there are more than `limit`.
  [[nodiscard]] std::vector<Ipv4Address> hosts_in_flight(std::size_t limit) const;
  [[nodiscard]] std::size_t hosts_in_flight_count() const { return m_discovering.size() + m_scanning.size(); }

  [[nodiscard]] const engine::OsScan& os_scan() const { return m_scan; }
  [[nodiscard]] const SessionTotals& totals() const { return m_totals; }

private:
  struct Batch {
    discovery::PortDiscovery discovery;
    Instant deadline;
    std::uint64_t id = 0;
  };
  struct Discovering {
    targets::Target target;
    std::int64_t start_s = 0;
    std::uint64_t batch = 0;
  };

  void sample_congestion(Instant now);
  [[nodiscard]] std::size_t max_in_flight() const;
  [[nodiscard]] bool start_batch(std::size_t room, Instant now, Timestamp wall_now);
  // One host of `batch` leaves discovery: down, skipped, or on to OS detection. Hosts already
  // handed over are ignored.
  void hand_over(const discovery::PortDiscovery& batch, const discovery::HostDiscovery& host, Instant now,
                 Timestamp wall_now);

  ScanSessionConfig m_config;
  TargetFeed m_feed;
  SeededRandom m_random;
  engine::OsScan m_scan;
  std::optional<engine::CongestionController> m_congestion;
  std::list<Batch> m_batches;
  std::unordered_map<std::uint32_t, Discovering> m_discovering; // batch targets whose discovery runs
  std::unordered_map<std::uint32_t, HostContext> m_scanning;    // hosts in OS detection
  bool m_targets_left = true;
  bool m_hosts_added = false;
  std::optional<std::uint64_t> m_capture_drops;
  std::uint64_t m_discovery_lost_sends = 0; // of finished batches (congestion signal)
  std::uint64_t m_discovery_answered = 0;
  std::optional<Instant> m_last_tick;
  std::vector<SessionEvent> m_events;
  SessionTotals m_totals;
};

// The host a received frame concerns: its source, or for an ICMP error the destination of the
// packet it quotes (a router answering for the target). nullopt for frames that do not parse.
[[nodiscard]] std::optional<std::uint32_t> frame_host(const CapturedFrame& frame);

} // namespace stackprint::session
