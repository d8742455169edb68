#pragma once
// The OS-detection state machine of one host (Nmap's osscan2 rounds, docs/nmap-behaviour.md 4.3-4.7),
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
// Loss recovery (`resend_only_missing`, the default; `--nmap-retries` turns it off):
//   - A lost TUI reply costs one re-send of that probe only, within the round, after the probe
//     timeout. How many sends a silent probe gets before it counts as deliberately silent follows
//     the loss this host has shown (`adaptive_sends`): 4 as in Nmap when nothing was lost, up to
//     `max_tui_sends_under_loss` when the estimated loss makes 4 silent sends likely to be bad luck.
//   - The sequence values (SP, GCD, ISR, TI, TS) and the IP ID values II and SS only mean what the
//     database means when they come from one train: SEQ1..SEQ6 100 ms apart, then IE1/IE2 sent
//     once. A round whose train lost a SEQ reply (no packet at all on that SEQ port) or whose echo
//     pair was broken by loss gets a *train round*: a fresh SEQ train and echo pair on new source
//     ports and a new echo id, with every other test (OPS/WIN gaps, ECN, T1-T7, U1) carried over
//     from the round before, which it replaces. O/W values missing from a train come, as in Nmap,
//     from one OPS re-send of that SEQ shape. A train that lost only one of its six replies is kept
//     (five samples 100 ms apart give every SEQ value). When SS cannot exist (TI is not I, BI or
//     RI), the train and the echo pair are independent and only the broken one is re-sent.
//   - CI reads the IP IDs of the T5, T6 and T7 replies in probe order. When a re-send made them
//     arrive in another order (T5 lost and answered after T6), a stack with one counter reads
//     a backward step, and CI a random class (checked: the class in arrival order differs). Such a *closed triple* is
//     re-sent in a train round as well (alone when train and echo pair are sound), one probe at a time: each of T5, T6,
//     T7 leaves only when the one before it is answered or given up, so loss can no longer reorder the replies.
//   - A round with a valid train ends the host (its fingerprint cannot change any more), except
//     when the judge says the only points missed against some listed reference are timing-based
//     (SP, GCD, ISR): then a train round is appended, as Nmap's next try would redraw them.
//   - Probes whose answer is ICMP (IE1, IE2, U1) are re-sent at least `icmp_retry_spacing` apart
//     once another ICMP answer from the same host shows that ICMP is not filtered, so a per-host
//     ICMP rate limit (Linux: 1/s for port unreachable) is waited out by that host alone.
//
// DIVERGENCE(nmap): (a) every round moves the source ports by 256 (as Nmap after 7.93 does), so a
// target's late retransmissions from the previous round cannot fill the new one; (b) no fixed 1 s
// sleep between rounds (the port move makes it unnecessary); (c) with `stop_when_stable`, no further
// round is run once two rounds left the same tests unanswered: a deterministic silence will not
// change, so more rounds cannot change the result (Nmap retries up to 5 times regardless);
// (d) with `stop_when_complete`, no retry at all after a round whose SEQ probes were all answered
// (the other probes are retransmitted within the round, so what is still missing is a deliberate
// silence, not loss); (e) `resend_only_missing`: train rounds instead of full rounds, more sends
// for silent probes under loss, ICMP re-sends spaced out, a reordered closed triple re-sent one
// probe at a time (see above); (f) the first TUI probe
// leaves at least `tui_gap` after SEQ6 even when every SEQ reply is already in (Nmap starts at
// once): no test reads a clock across that gap (ARCHITECTURE.md, gaps a target can observe).

#include <algorithm>
#include <array>
#include <bit>
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
#include "stackprint/responses/run_fingerprint.hpp"

namespace stackprint::engine {

using Instant = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

struct OsScanConfig {
  std::uint32_t source_address = 0;
  int max_os_tries = 5;        // --max-os-tries (Nmap: 1..50, default 5)
  int non_ideal_max_tries = 2; // Nmap's STANDARD_OS2_TRIES when conditions are not ideal
  Duration seq_gap = std::chrono::milliseconds(100);
  // Between the end of a host's port scan (when it is added) and its first OS probe, as in Nmap:
  // its OS detection starts when the port scan's last reply is in and holds the first SEQ probe
  // 100 ms; measured against the lab's lwIP target, SEQ1 left 101-104 ms after the port scan's
  // SYN/ACK (docs/nmap-behaviour.md 4.1).
  Duration discovery_gap = std::chrono::milliseconds(105);
  // Added to discovery_gap when the port scan probed UDP too: Nmap scans UDP after its TCP scan is
  // done (19-36 ms later in the same measurement), so its SEQ1 leaves 120-140 ms after the open
  // port's SYN/ACK, where ours probes both at once. A stack whose ISN follows a TCP timer started
  // by that connection (lwIP) reads another SP when SEQ2 follows that timer's first tick (about
  // 150 ms after the SYN/ACK: docs/lab.md).
  Duration udp_scan_gap = std::chrono::milliseconds(25);
  Duration tui_gap = std::chrono::milliseconds(25);
  Duration round_gap = std::chrono::milliseconds(100); // pause before a retry round
  Duration min_timeout = std::chrono::milliseconds(100);
  Duration max_timeout = std::chrono::seconds(10);
  Duration host_timeout = std::chrono::seconds(60); // hard deadline per host, then give up
  int max_tui_sends = 4;
  std::size_t window = 10;         // probes in flight per host (--max-parallelism caps it)
  std::optional<std::uint8_t> ttl; // --ttl for TCP and ICMP probes (else random 37..59)
  bool stop_when_stable = true;
  // Stop after a round in which every SEQ probe was answered: every other probe has then either
  // been answered or been sent max_tui_sends times in vain, so a further round could only redraw
  // the timing-based SEQ values (SP, ISR, TS), which are noise.
  bool stop_when_complete = true;
  // Loss recovery (see the top of this file). All off with --nmap-retries.
  bool resend_only_missing = true; // train rounds instead of full rounds
  bool adaptive_sends = true;      // more sends for silent TUI probes when this host loses replies
  int max_tui_sends_under_loss = 8;
  bool retry_timing_misses = true; // a train round when only SP/GCD/ISR kept a match from being perfect
  Duration icmp_retry_spacing = std::chrono::seconds(1); // 0: no spacing
  // --scan-delay in milliseconds, as the SEQ tests and the not-ideal reasons read it
  // (docs/nmap-behaviour.md 4.8, 5.2): above 1000 no SP, GCD or ISR; above 500 not ideal.
  std::int64_t scan_delay_ms = 0;
};

// --scan-delay: every probe to one host at least `delay` after the previous one, as Nmap's option
// does (its SEQ probes keep at least their 100 ms, the others at least their 25 ms). That includes
// the first SEQ probe: Nmap holds it at least the delay after its port scan's last reply
// (docs/nmap-behaviour.md 4.12).
inline void apply_scan_delay(OsScanConfig& config, Duration delay) {
  config.seq_gap = std::max(config.seq_gap, delay);
  config.discovery_gap = std::max(config.discovery_gap, delay);
  config.tui_gap = std::max(config.tui_gap, delay);
  config.scan_delay_ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
}

// The host timeout when the user gives none: 60 s, plus 64 times the scan delay, for a host's
// probes then leave at most one per delay (64 sends cover a round with every probe re-sent).
inline Duration default_host_timeout(Duration scan_delay) {
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(60)) + 64 * scan_delay;
}

// What port discovery learnt about a host.
struct HostTarget {
  std::uint32_t address = 0;
  std::optional<std::uint16_t> open_tcp_port;
  std::uint16_t closed_tcp_port = 0;
  bool closed_tcp_known = false;
  std::uint16_t closed_udp_port = 0;
  bool closed_udp_known = false;
  Duration initial_timeout = std::chrono::seconds(1);
  bool udp_port_scanned = false; // the port scan probed UDP ports too (udp_scan_gap applies)
  // Nmap's OmitSubmissionFP gave a reason (no open or known-closed port, ...): at most
  // non_ideal_max_tries rounds. A scan delay above 500 ms caps them too (OsScanConfig).
  bool conditions_not_ideal = false;
  // The TCP source port of the host's port scan. The target may send a SYN/ACK of the port scan
  // again seconds later (its retransmission, when our kernel's reset was lost); the OS probes'
  // ports never include it, so such a copy can never be taken for a SEQ probe's answer.
  std::optional<std::uint16_t> port_scan_source_port;
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
  complete,        // stop_when_complete: every SEQ probe answered, the rest answered or retried out;
                   // or (resend_only_missing) the round's train was valid: nothing can change any more
  host_timeout,    // the hard per-host deadline passed
};

// What the database says about a round's fingerprint (the matcher lives outside the engine).
enum class RoundVerdict {
  no_perfect_match,
  perfect_match,
  // Not perfect, but some listed reference would match perfectly if SP, GCD and ISR (the values a
  // new SEQ train redraws) were left out.
  missed_only_on_timing,
};
using RoundJudge = std::function<RoundVerdict(const fingerprint::Fingerprint& round_fingerprint)>;

// How one round's SEQ train and echo pair came through (resend_only_missing).
struct TrainHealth {
  // bit i: SEQ(i+1) got no packet at all on its port, or only a SYN/ACK after its timeout (the
  // target's retransmission of a lost one)
  std::uint8_t lost_seq_slots = 0;
  std::uint8_t echo_after_resend = 0; // bit i: IE(i+1)'s reply came only after a re-send (no II)
  // The T5-T7 replies arrived in another order than their probes, after a re-send, and CI reads
  // another class in probe order than in the order the stack answered (the order of our sends,
  // not the stack's counter); or a triple re-sent in a train round lost a reply the round before
  // had (set by finish_round, which knows that round).
  bool closed_triple_broken = false;
  [[nodiscard]] int seq_slots_lost() const { return std::popcount(lost_seq_slots); }
  [[nodiscard]] bool echo_pair_broken() const { return echo_after_resend != 0; }
  // A train that lost one of its six replies still gives every SEQ value (Nmap needs 4 samples;
  // rates are per send-time interval, so a gap does not bias them); two lost replies make the
  // values from 4 samples too noisy to keep when a new train costs only 8 packets.
  [[nodiscard]] bool seq_ok() const { return seq_slots_lost() <= 1; }
  [[nodiscard]] bool valid() const { return seq_ok() && echo_after_resend == 0 && !closed_triple_broken; }
  // Lower is better.
  [[nodiscard]] int badness() const {
    return (valid() ? 0 : 100) + 2 * seq_slots_lost() + (echo_pair_broken() ? 1 : 0) + (closed_triple_broken ? 1 : 0);
  }
  friend bool operator==(const TrainHealth&, const TrainHealth&) = default;
};

class HostOsScan {
public:
  HostOsScan(HostTarget target, const OsScanConfig& config, std::uint64_t seed, Instant start, Timestamp wall_start);

  // Sends due at `now`, at most `budget` of them (the global rate limit); decrements budget.
  void tick(Instant now, Timestamp wall_now, std::size_t& budget, std::vector<OutgoingPacket>& out,
            const RoundJudge& judge);
  // A packet from tick() went out: the clocks read right before its send call. The SEQ send
  // times (SP, ISR and TS are rates over them) and the RTT sample are taken from these, not from
  // the tick's time, which can be a whole burst of send calls earlier.
  void on_sent(probes::ProbeId id, Instant now, Timestamp wall_now);
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
  // What fingerprint_run needs of this host besides its rounds: the target's ports and the first
  // round's start. The caller adds what only the scan knows (port-scan verdicts, link source).
  [[nodiscard]] responses::RunFacts run_facts() const;
  // The kept rounds as fingerprint_run's input; the pointers live as long as this host.
  [[nodiscard]] std::vector<responses::RoundInput> round_inputs() const;
  [[nodiscard]] std::uint64_t packets_sent() const { return m_packets_sent; }
  [[nodiscard]] response_tests::PortKnowledge port_knowledge() const;
  // Train rounds run (each replaced the round before it or was appended after a timing miss).
  [[nodiscard]] int train_rounds() const { return m_train_rounds; }
  // Rounds started so far, train rounds included: Nmap's "try #N" of the round in progress.
  [[nodiscard]] int tries_started() const { return m_round; }
  // The loss this host has shown so far (sends that went unanswered before an answer), 0..1.
  [[nodiscard]] double estimated_loss() const;
  // Sends a silent TUI probe gets before it counts as deliberately silent.
  [[nodiscard]] int max_sends() const;
  // Sends that went unanswered of probes that should answer (answered later, or SEQ slots of the
  // open port), and probes answered: the congestion signal (engine/congestion.hpp).
  [[nodiscard]] std::uint64_t lost_sends() const { return m_lost_sends; }
  [[nodiscard]] std::uint64_t answered_probes() const { return m_answered_probes; }
  // Whether the SEQ train is being sent (its probes must leave 100 ms apart: OsScan serves them first).
  [[nodiscard]] bool sending_seq_train() const { return m_phase == Phase::seq; }

private:
  enum class Phase { seq, seq_wait, tui, between_rounds, done };
  enum class RoundKind { full, train_repair, train_retry };
  struct TuiProbe {
    probes::ProbeId id;
    int sends = 0;
    std::optional<Instant> last_send;
    bool finished = false; // answered or given up
  };

  void start_round(Instant now, Timestamp wall_now, RoundKind kind);
  [[nodiscard]] Duration retry_wait(const TuiProbe& probe, Duration probe_timeout) const;
  [[nodiscard]] bool icmp_answered() const;
  [[nodiscard]] bool icmp_rate_limited() const { return m_icmp_slow_answers >= 2; }
  [[nodiscard]] responses::RoundReplies composed_replies() const;
  [[nodiscard]] TrainHealth train_health(const responses::RoundReplies& replies) const;
  void count_lost_seq_slots();
  void send(probes::ProbeId id, Instant now, Timestamp wall_now, std::vector<OutgoingPacket>& out);
  void begin_tui(Instant now);
  [[nodiscard]] bool answered(probes::ProbeId id) const;
  // In a train round that re-sends the closed triple: a T5-T7 probe waits while an earlier one of
  // them is still open.
  [[nodiscard]] bool waits_for_earlier_closed_probe(const TuiProbe& probe) const;
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
  Instant m_now; // the time of the last tick() or on_reply()
  int m_seq_sent = 0;
  std::vector<TuiProbe> m_tui;
  std::array<std::optional<Instant>, probes::k_probe_count> m_last_send_at{};
  std::array<int, probes::k_probe_count> m_send_count{};
  std::optional<std::uint16_t> m_echo_ip_id; // of the round's last IE1 send
  std::vector<CompletedRound> m_rounds;
  std::vector<std::set<std::string>> m_missing_per_round;
  RoundKind m_kind = RoundKind::full;      // of the running round
  RoundKind m_next_kind = RoundKind::full; // of the round after between_rounds
  // What a train round re-sends: the SEQ train, the echo pair, or both (both when the host's IP
  // IDs may be shared between TCP and ICMP: SS compares the pair with the train just before it).
  bool m_round_sends_seq = true;
  bool m_round_sends_echo = true;
  bool m_next_sends_seq = true;
  bool m_next_sends_echo = true;
  // A train round that re-sends T5, T6 and T7 (one at a time, in order) for CI.
  bool m_round_sends_closed = false;
  bool m_next_sends_closed = false;
  std::optional<TrainHealth> m_last_health; // of the last kept round
  std::optional<TrainHealth> m_last_defect; // of the last round whose train was broken
  int m_train_rounds = 0;
  std::uint64_t m_lost_sends = 0; // sends that got no answer, of probes later answered (or SEQ)
  std::uint64_t m_answered_probes = 0;
  // Two ICMP-answered probes each needed two failed sends before their answer (under 10% random
  // loss that happens to 3 in 10,000 hosts): the host limits its ICMP rate, so a broken echo
  // pair is its behaviour, not loss, and gets no new train.
  int m_icmp_slow_answers = 0;
  std::optional<Duration> m_srtt;
  Duration m_rttvar{};
  std::uint64_t m_packets_sent = 0;
};

// The fingerprint without the values a new SEQ train redraws by chance (SEQ's SP, GCD, ISR), for
// RoundVerdict::missed_only_on_timing.
[[nodiscard]] fingerprint::Fingerprint without_timing_values(const fingerprint::Fingerprint& round_fingerprint);

} // namespace stackprint::engine
