#pragma once
// Port discovery before OS detection, as a sans-I/O state machine: it never touches a socket or a
// clock. The shell calls on_tick(now) and performs the returned actions (builds and sends the
// packets), feeds every captured frame to on_frame(frame, now), and sleeps until next_wakeup() or
// the next captured frame, until finished().
//
// Per host, every listed TCP port gets a SYN and every listed UDP port an empty datagram:
//   SYN/ACK -> open, RST -> closed, ICMP unreachable (codes 0,1,2,3,9,10,13) -> filtered,
//   no answer after max_tries sends -> filtered (TCP) or open|filtered (UDP),
//   UDP reply -> open, ICMP port unreachable from the host itself -> closed (UDP).
// A host from which nothing at all came back is "down". Then select_os_scan_ports() (4.2) picks
// the ports OS detection uses.
//
// An ARP packet from a host (CapturedFrame::arp_sender: on an Ethernet segment the kernel resolves
// each target before our first probe leaves) proves it up, as Nmap's ARP ping does on a local
// Ethernet: such a host is "up" even when its ports stay silent, and its silent TCP ports are loss
// suspects like those of a host that answered something (arp_only_max_tries below). Without it a live
// host on a lossy segment whose few probes were all lost would be reported down (measured on the
// lab's lwIP target at 30% loss with two ports: 1 run in 22, docs/nmap-behaviour.md 4.13). A host
// whose neighbour entry was still fresh is not resolved again and sends no ARP: it is judged by its
// IP replies alone.
//
// Replies are matched to probes without per-probe state on the wire: one TCP and one UDP source port
// per run, and a SYN sequence number keyed by (secret, host, port) that the SYN/ACK or RST must
// acknowledge (ack = sequence + 1).

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/discovery/port_selection.hpp"
#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/discovery/reply.hpp"

namespace stackprint::discovery {

// Monotonic time, passed in by the shell.
using Instant = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

struct DiscoveryConfig {
  PortLists ports;            // see discovery_ports()
  Ipv4Address source_address; // ours: replies must be addressed to it
  std::uint16_t tcp_source_port = 0;
  std::uint16_t udp_source_port = 0;
  std::uint32_t sequence_secret = 0; // random per run
  std::uint32_t random_tcp_draw = 0; // for the random closed-port fallbacks (4.2)
  std::uint32_t random_udp_draw = 0;
  // Probe timeout: initial_timeout until the host has an RTT sample, then
  // clamp(srtt + 4 * rttvar, min_timeout, max_timeout) (Nmap's bounds: 100 ms and 10 s).
  Duration initial_timeout = std::chrono::seconds(1);
  Duration min_timeout = std::chrono::milliseconds(100);
  Duration max_timeout = std::chrono::seconds(10);
  int max_tries = 2; // sends per probe (1 = no retransmission)
  // DIVERGENCE(nmap), discovery under loss: a host's TCP probes get up to loss_max_tries sends
  // (instead of max_tries) once one of its probes was answered only after a re-send, or while it
  // has answered something but lacks an open or a closed TCP port with at most
  // loss_suspect_ports of its TCP ports unanswered (a few silent ports of a host that answers are
  // more likely lost than filtered; a default-deny filter leaves many silent, which keeps
  // max_tries). Every send of such a probe after its second leaves at least late_resend_gap after
  // the previous one: a target that holds the connection of a lost SYN/ACK answers a repeated SYN
  // at most once per tcp_invalid_ratelimit (Linux: 500 ms), so quicker re-sends are wasted.
  int loss_max_tries = 10;
  // A host known up only by an ARP packet (no IP reply yet) gets this many sends for those silent
  // TCP ports instead: enough that 30% loss both ways hides two ports from all their sends with
  // 0.5% chance (0.51^8), while a host that drops every IP packet costs seconds, not ten. Once one
  // of them answers a re-send, the host is lossy and loss_max_tries applies.
  int arp_only_max_tries = 4;
  std::size_t loss_suspect_ports = 8;
  Duration late_resend_gap = std::chrono::milliseconds(600);
  std::size_t max_outstanding = 256; // probes in flight over all hosts
  std::size_t max_outstanding_per_host = 64;
  // --scan-delay: at least this long between two probes to the same host (0: no spacing). Other
  // hosts are probed in between, so only a host's own probes are slowed.
  Duration host_send_gap{0};
  // DIVERGENCE(nmap): with stop_early, a host stops being probed once it has an open and a closed
  // TCP port (and a closed UDP port when UDP ports are listed); the chosen ports are then the lowest
  // found so far rather than the lowest of the whole list. Off by default (Nmap's choice).
  bool stop_early = false;
};

struct SendTcpSyn {
  Ipv4Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint16_t ip_id = 0; // never 0, so the kernel keeps it
  friend bool operator==(const SendTcpSyn&, const SendTcpSyn&) = default;
};

// An empty UDP datagram.
struct SendUdpProbe {
  Ipv4Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint16_t ip_id = 0; // never 0
  friend bool operator==(const SendUdpProbe&, const SendUdpProbe&) = default;
};

using DiscoveryAction = std::variant<SendTcpSyn, SendUdpProbe>;

enum class HostStatus { probing, up, down };

// What answered a port probe: the reply's IP TTL, and the ICMP unreachable code when the answer
// was an ICMP destination unreachable message.
struct PortReply {
  std::uint8_t ttl = 0;
  std::optional<std::uint8_t> icmp_code;
  friend bool operator==(const PortReply&, const PortReply&) = default;
};

struct HostDiscovery {
  Ipv4Address address;
  HostStatus status = HostStatus::probing;
  PortTable ports;        // every answered or given-up port
  SelectedPorts selected; // meaningful once status is up
  // Smoothed RTT and its variation from first-try replies, and the resulting probe timeout: the
  // OS scan starts from this timeout (4.6).
  std::optional<Duration> srtt;
  std::optional<Duration> rttvar;
  Duration timeout{};
  // Ethernet source of the host's first reply, when captured on Ethernet.
  std::optional<std::array<std::uint8_t, 6>> link_source;
  std::uint64_t replies = 0;
  bool arp_answered = false; // an ARP packet came from it (on our segment and up)
  // The reply that settled each port, for the REASON column ("reset ttl 64", "port-unreach ttl 64",
  // docs/nmap-behaviour.md 5.4); ports settled by no reply have no entry.
  std::map<std::uint16_t, PortReply> tcp_replies;
  std::map<std::uint16_t, PortReply> udp_replies;
};

class PortDiscovery {
public:
  // Duplicate addresses in `hosts` are probed once (the first entry is kept).
  PortDiscovery(DiscoveryConfig config, const std::vector<Ipv4Address>& hosts);

  // Expires timed-out probes (retransmitting or giving up) and returns the probes to send now, at
  // most `max_sends` of them (the tokens the scan's one rate limiter has left, engine/rate_limiter.hpp).
  [[nodiscard]] std::vector<DiscoveryAction> on_tick(Instant now,
                                                     std::size_t max_sends = std::numeric_limits<std::size_t>::max());

  // A captured frame. Frames that are malformed, not for us or match no outstanding probe are
  // counted in ignored_frames() and otherwise ignored. An ARP frame marks its sender up if that is
  // a host still probed, and is otherwise dropped uncounted (it answers no probe). Never throws.
  void on_frame(const CapturedFrame& frame, Instant now);
  // The same for an already parsed reply (for tests and for shells that parse once).
  void on_reply(const DiscoveryReply& reply, Instant now,
                const std::optional<std::array<std::uint8_t, 6>>& link_source = {});

  [[nodiscard]] bool finished() const;
  // Hosts that became up or down since the last call (indices into hosts()), in the order they
  // did. A host is done once each of its probes is answered or given up, whatever the other hosts
  // still wait for, so the shell can hand it on at once.
  [[nodiscard]] std::vector<std::size_t> take_completed();
  // When on_tick() next has work (a timeout expires or a send becomes due); nullopt once finished.
  // May be in the past: call on_tick() at once.
  [[nodiscard]] std::optional<Instant> next_wakeup() const;

  [[nodiscard]] const std::vector<HostDiscovery>& hosts() const { return m_hosts; }
  [[nodiscard]] std::uint64_t ignored_frames() const { return m_ignored; }
  [[nodiscard]] const DiscoveryConfig& config() const { return m_config; }
  [[nodiscard]] std::uint64_t probes_sent() const { return m_sent; }
  // The congestion signal (engine/congestion.hpp), as OS detection counts it: sends of probes
  // answered only after a re-send (the earlier sends were lost), and probes answered.
  [[nodiscard]] std::uint64_t lost_sends() const { return m_lost_sends; }
  [[nodiscard]] std::uint64_t answered_probes() const { return m_answered_probes; }

  // The SYN sequence number for (host, port) in this run (exposed for tests and packet capture
  // analysis).
  [[nodiscard]] std::uint32_t sequence_for(Ipv4Address host, std::uint16_t port) const;

private:
  // Whether `acknowledgment` acknowledges the SYN sent to `port` of a group host other than `host`
  // (O(hosts in the group), only for answers that do not acknowledge their own host's SYN).
  [[nodiscard]] bool acknowledges_another_host(std::size_t host, std::uint32_t acknowledgment,
                                               std::uint16_t port) const;
  enum class Protocol : std::uint8_t { tcp, udp };
  struct ProbeKey {
    std::size_t host = 0;
    Protocol protocol = Protocol::tcp;
    std::uint16_t port = 0;
  };
  struct Outstanding {
    ProbeKey key;
    Instant sent_at;
    int tries = 0; // sends so far, including this one
  };
  struct PendingProbe {
    ProbeKey key;
    int tries = 0; // sends already made (0 for a first send)
  };
  struct HostQueue {
    std::deque<PendingProbe> pending; // retransmissions go first, then first sends in list order
    std::size_t outstanding = 0;
    bool lossy = false; // a probe was answered only after a re-send
    std::optional<Instant> last_send;
  };

  // When the host's next probe may leave: now, or host_send_gap after its last one.
  [[nodiscard]] Instant earliest_send(const HostQueue& queue, Instant now) const;

  void expire(Instant now);
  void send_due(Instant now, std::size_t max_sends, std::vector<DiscoveryAction>& actions);
  void record(std::size_t host, Protocol protocol, std::uint16_t port, PortState state);
  void record_rtt(std::size_t host, Duration sample);
  void maybe_complete(std::size_t host);
  void complete(std::size_t host);
  [[nodiscard]] bool has_enough(std::size_t host) const;
  [[nodiscard]] Duration timeout_for(std::size_t host) const;
  // When an outstanding probe is given up or re-sent.
  [[nodiscard]] Instant expiry(const Outstanding& o) const;
  // How many sends a probe of `host` gets, judged now (see loss_max_tries).
  [[nodiscard]] int tries_allowed(std::size_t host, Protocol protocol) const;
  [[nodiscard]] std::optional<std::size_t> host_index(Ipv4Address address) const;
  // Removes the outstanding probe for `key`; its entry, or nullopt if none.
  std::optional<Outstanding> take_outstanding(std::size_t host, Protocol protocol, std::uint16_t port);
  [[nodiscard]] std::uint16_t ip_id_for(std::size_t host, Protocol protocol, std::uint16_t port, int tries) const;

  DiscoveryConfig m_config;
  std::vector<HostDiscovery> m_hosts;
  std::vector<HostQueue> m_queues;
  std::vector<Outstanding> m_outstanding;
  std::unordered_map<std::uint32_t, std::size_t> m_host_by_address;
  std::deque<std::size_t> m_ready;      // hosts with pending probes, in round-robin order
  std::size_t m_probing = 0;            // hosts not yet up or down
  std::vector<std::size_t> m_completed; // since the last take_completed()
  std::optional<Instant> m_last_tick;
  std::uint64_t m_ignored = 0;
  std::uint64_t m_sent = 0;
  std::uint64_t m_lost_sends = 0;
  std::uint64_t m_answered_probes = 0;
};

} // namespace stackprint::discovery
