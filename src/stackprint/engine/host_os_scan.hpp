#pragma once
// The OS-detection state machine of one host (Nmap's osscan2 rounds, nmap-facts.md 4.3-4.7),
// sans-I/O: it is told the time, returns the packets to send and is fed the replies.
//
// One round:
//   1. SEQ: SEQ1..SEQ6 to the open TCP port, each at least `seq_gap` (100 ms) after the previous
//      one; never retransmitted. The phase ends once every SEQ probe is answered or timed out.
//   2. TUI, in Nmap's order (it matters for the IP ID tests): IE1, IE2, U1, OPS re-sends for
//      missing O/W values, ECN, T1 if SEQ1 got no reply, T2, T3, T4 (open port only), T5, T6, T7.
//      Sends to one host are at least `tui_gap` (25 ms) apart and at most `window` are in flight;
//      an unanswered probe is resent after the probe timeout, up to `max_tui_sends` (4) times.
//   3. The round's fingerprint is judged (a perfect match ends the host); otherwise another round
//      follows, up to the retry limit.
// Probe timeout: the RTT estimate from port discovery (srtt + 4 rttvar within [min, max]),
// refined by replies to probes that were sent once.
//
// DIVERGENCE(nmap): (a) every round moves the source ports by 256 (as Nmap after 7.93 does), so a
// target's late retransmissions from the previous round cannot fill the new one; (b) no fixed 1 s
// sleep between rounds (the port move makes it unnecessary); (c) with `stop_when_stable`, no further
// round is run once two rounds left the same tests unanswered: a deterministic silence will not
// change, so more rounds cannot change the result (Nmap retries up to 5 times regardless);
// (d) with `stop_when_complete`, no retry at all after a round whose SEQ probes were all answered
// (the other probes are retransmitted up to 4 times within the round, so what is still missing is
// a deliberate silence, not loss).

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/response_tests/omission.hpp"
#include "stackprint/responses/round_replies.hpp"

namespace stackprint::engine {

using Instant = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

struct OsScanConfig {
  std::uint32_t source_address = 0;
  int max_os_tries = 5;          // --max-os-tries (Nmap: 1..50, default 5)
  int non_ideal_max_tries = 2;   // Nmap's STANDARD_OS2_TRIES when conditions are not ideal
  Duration seq_gap = std::chrono::milliseconds(100);
  Duration tui_gap = std::chrono::milliseconds(25);
  Duration round_gap = std::chrono::milliseconds(100); // pause before a retry round
  Duration min_timeout = std::chrono::milliseconds(100);
  Duration max_timeout = std::chrono::seconds(10);
  Duration host_timeout = std::chrono::seconds(60); // hard deadline per host, then give up
  int max_tui_sends = 4;
  std::size_t window = 10;      // probes in flight per host (--max-parallelism caps it)
  std::optional<std::uint8_t> ttl; // --ttl for TCP and ICMP probes (else random 37..59)
  bool stop_when_stable = true;
  // Stop after a round in which every SEQ probe was answered: every other probe has then either
  // been answered or been sent max_tui_sends times in vain, so a further round could only redraw
  // the timing-based SEQ values (SP, ISR, TS), which are noise.
  bool stop_when_complete = true;
};

// What port discovery learnt about a host.
struct HostTarget {
  std::uint32_t address = 0;
  std::optional<std::uint16_t> open_tcp_port;
  std::uint16_t closed_tcp_port = 0;
  bool closed_tcp_known = false;
  std::uint16_t closed_udp_port = 0;
  bool closed_udp_known = false;
  Duration initial_timeout = std::chrono::seconds(1);
  // Nmap's OmitSubmissionFP gave a reason (no open or known-closed port, ...): at most
  // non_ideal_max_tries rounds.
  bool conditions_not_ideal = false;
};

// A packet to put on the wire now.
struct OutgoingPacket {
  std::uint32_t destination = 0;
  probes::ProbeId probe = probes::ProbeId::SEQ1;
  std::vector<std::uint8_t> bytes;
};

struct CompletedRound {
  probes::ProbeContext context;
  responses::RoundReplies replies;
  Timestamp start;
};

enum class HostEnd {
  running,
  perfect_match,   // a round matched perfectly
  tries_exhausted, // max tries (or the non-ideal limit) reached
  stable,          // stop_when_stable: two rounds left the same tests unanswered
  complete,        // stop_when_complete: every SEQ probe answered, the rest answered or retried out
  host_timeout,    // the hard per-host deadline passed
};

// Says whether a round's fingerprint has a perfect match in the database (the matcher lives
// outside the engine).
using RoundJudge = std::function<bool(const fingerprint::Fingerprint& round_fingerprint)>;

class HostOsScan {
public:
  HostOsScan(HostTarget target, const OsScanConfig& config, std::uint64_t seed, Instant start, Timestamp wall_start);

  // Sends due at `now`, at most `budget` of them (the global rate limit); decrements budget.
  void tick(Instant now, Timestamp wall_now, std::size_t& budget, std::vector<OutgoingPacket>& out,
            const RoundJudge& judge);
  // A packet from this host.
  void on_reply(responses::Reply reply, Instant now);

  // When tick() next has something to do; nullopt once done.
  [[nodiscard]] std::optional<Instant> next_wakeup() const;
  [[nodiscard]] bool done() const { return m_end != HostEnd::running; }
  [[nodiscard]] HostEnd end() const { return m_end; }
  [[nodiscard]] const HostTarget& target() const { return m_target; }
  // The random values of the current round's probes (ports, sequence base, echo id).
  [[nodiscard]] const probes::ProbeContext& probe_context() const { return m_context; }
  [[nodiscard]] const std::vector<CompletedRound>& rounds() const { return m_rounds; }
  [[nodiscard]] std::uint64_t packets_sent() const { return m_packets_sent; }
  [[nodiscard]] response_tests::PortKnowledge port_knowledge() const;

private:
  enum class Phase { seq, seq_wait, tui, between_rounds, done };
  struct TuiProbe {
    probes::ProbeId id;
    int sends = 0;
    std::optional<Instant> last_send;
    bool finished = false; // answered or given up
  };

  void start_round(Instant now, Timestamp wall_now);
  void send(probes::ProbeId id, Instant now, Timestamp wall_now, std::vector<OutgoingPacket>& out);
  void begin_tui(Instant now);
  [[nodiscard]] bool answered(probes::ProbeId id) const;
  void finish_round(Instant now, const RoundJudge& judge);
  void end_host(HostEnd end);
  [[nodiscard]] Duration timeout() const;
  void record_rtt(Duration sample);

  HostTarget m_target;
  OsScanConfig m_config;
  std::mt19937_64 m_random;
  Instant m_deadline;
  HostEnd m_end = HostEnd::running;
  Phase m_phase = Phase::seq;

  std::uint16_t m_tcp_port_base = 0;
  std::uint16_t m_udp_port_base = 0;
  int m_round = 0;
  probes::ProbeContext m_context;
  std::optional<responses::RoundCollector> m_collector;
  Timestamp m_round_wall_start;
  Instant m_next_action;
  std::optional<Instant> m_last_send;
  int m_seq_sent = 0;
  std::vector<TuiProbe> m_tui;
  std::array<std::optional<Instant>, probes::k_probe_count> m_last_send_at{};
  std::array<int, probes::k_probe_count> m_send_count{};
  std::vector<CompletedRound> m_rounds;
  std::vector<std::set<std::string>> m_missing_per_round;
  std::optional<Duration> m_srtt;
  Duration m_rttvar{};
  std::uint64_t m_packets_sent = 0;
};

} // namespace stackprint::engine
