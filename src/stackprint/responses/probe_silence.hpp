#pragma once
// Which unanswered OS-detection probes were silenced by a filter rather than by the target's stack.
//
// Nmap prints a probe that got no reply as `NAME(R=N)` and matches it like an answer, which is
// right when the stack ignores that probe (4,260 references say T2(R=N), 358 say IE(R=N)) and
// wrong when a firewall or an IPS with Nmap-probe signatures dropped it: the subject then looks
// like the rare references that were themselves recorded behind a filter.
//
// Silence alone cannot tell the two apart; a contradiction can. The port scan ran just before OS
// detection against the same ports:
//   - the closed TCP port answered the port scan's SYN with a RST (CT known), yet T5, a SYN to the
//     same port, got nothing in any round: a stack that resets one SYN resets the other, so
//     something between us drops probes by their shape (only 47 of 5,678 references, all recorded
//     behind filters themselves, say T5(R=N));
//   - the closed UDP port answered the UDP scan with a port unreachable (CU known), yet U1, a
//     datagram to the same port, got nothing in any round.
// Once the path to the host is shown to drop probes, no silence of that host says anything about
// its stack, so every silent test line is judged filtered, not only the contradicting one.
// A default-deny firewall leaves no such contradiction: it drops the port scan's SYNs to closed
// ports as well, so no closed port is known and T5-T7 go to a random port. That the port scan's
// SYNs to ports other than the open ones all went unanswered is itself the evidence (a stack
// resets them: 5,631 of 5,678 references answer T5): then the silent lines of the probes that go
// to closed ports (T5, T6, T7) and U1 are judged filtered. The silences of probes to the open port
// and of IE stay Nmap's R=N, since such a firewall lets those through to the stack.
// Silences without a contradiction (IE dropped by a firewall that also dropped the port scan's
// probes, T2/T3 ignored by the stack) stay Nmap's R=N: they may well be the stack's own answer.
//
// A test line is silent when its probes were sent in at least one round and no reply to any of
// them arrived in any round (IE: neither echo request got a reply; T1: neither T1 nor SEQ1).

#include <string>
#include <vector>

#include "stackprint/responses/round_replies.hpp"

namespace stackprint::responses {

// What the port scan before OS detection saw of the ports OS detection then used.
struct PortScanEvidence {
  bool closed_tcp_port_answered = false; // the closed TCP port answered a SYN (RST): Nmap's CT
  bool closed_udp_port_answered = false; // the closed UDP port answered (ICMP port unreachable): CU
  // The port scan sent SYNs to TCP ports besides the open ones and none of them answered at all
  // (no RST): every non-open port was filtered.
  bool closed_tcp_ports_filtered = false;
};

struct SilenceVerdict {
  // Silent test lines among ECN, T1..T7, U1, IE, in Nmap's order.
  std::vector<std::string> silent_tests;
  // The silent lines blamed on a filter, in Nmap's order: all of silent_tests after a
  // contradiction, the closed-port lines (T5-T7, U1) among them when closed ports were filtered.
  std::vector<std::string> filtered_tests;
  // Why they were blamed, e.g. "the closed TCP port answered the port scan but never T5"; empty
  // when filtered_tests is.
  std::string evidence;

  [[nodiscard]] bool filtered() const { return !filtered_tests.empty(); }
  friend bool operator==(const SilenceVerdict&, const SilenceVerdict&) = default;
};

// `rounds`: the replies of every round of one host, in order (pointers must not be null).
[[nodiscard]] SilenceVerdict judge_silences(const std::vector<const RoundReplies*>& rounds,
                                            const PortScanEvidence& port_scan);

} // namespace stackprint::responses
