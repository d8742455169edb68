#include "stackprint/responses/probe_silence.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stackprint::responses {
namespace {

using probes::ProbeId;
using Names = std::vector<std::string>;

void mark_sent(RoundReplies& round, ProbeId id) { ++round.sends[static_cast<std::size_t>(id)]; }

// A round in which every OS probe was sent and answered.
RoundReplies answered_round() {
  RoundReplies round;
  for (const ProbeId id : probes::k_all_probe_ids) mark_sent(round, id);
  round.ecn = Reply{};
  for (auto& t : round.t) t = Reply{};
  round.echo = {Reply{}, Reply{}};
  round.u1 = Reply{};
  return round;
}

// The emulator's firewall: T2-T7, U1 and IE dropped, the rest answered.
RoundReplies firewalled_round() {
  RoundReplies round = answered_round();
  for (std::size_t i = 1; i < 7; ++i) round.t[i].reset();
  round.u1.reset();
  round.echo = {std::nullopt, std::nullopt};
  return round;
}

PortScanEvidence closed_tcp_answered() {
  PortScanEvidence e;
  e.closed_tcp_port_answered = true;
  return e;
}

SilenceVerdict judge(const std::vector<RoundReplies>& rounds, const PortScanEvidence& evidence) {
  std::vector<const RoundReplies*> pointers;
  for (const auto& r : rounds) pointers.push_back(&r);
  return judge_silences(pointers, evidence);
}

TEST(ProbeSilence, AFullyAnsweredHostHasNoSilence) {
  const SilenceVerdict v = judge({answered_round()}, closed_tcp_answered());
  EXPECT_TRUE(v.silent_tests.empty());
  EXPECT_FALSE(v.filtered());
  EXPECT_TRUE(v.evidence.empty());
}

TEST(ProbeSilence, T5IgnoredByAPortThatResetTheScanMeansAFilterAndBlamesEverySilence) {
  const SilenceVerdict v = judge({firewalled_round()}, closed_tcp_answered());
  const Names expected{"T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE"};
  EXPECT_EQ(v.silent_tests, expected);
  EXPECT_EQ(v.filtered_tests, expected);
  EXPECT_NE(v.evidence.find("T5"), std::string::npos) << v.evidence;
}

TEST(ProbeSilence, SilenceWithoutAContradictionIsTheStacksOwnAnswer) {
  // The same silences, but the closed port never answered the port scan either: nothing shows
  // that a filter rather than the stack is silent (a stack-level blackhole looks the same).
  const SilenceVerdict v = judge({firewalled_round()}, PortScanEvidence{});
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE"}));
  EXPECT_FALSE(v.filtered());
  EXPECT_TRUE(v.evidence.empty());
}

TEST(ProbeSilence, T2ToT4IgnoredWhileT5AnswersIsACommonStackAndNotFiltered) {
  // 799 references of nmap-os-db say T2(R=N), T3(R=N) and T4(R=N) at once.
  RoundReplies round = answered_round();
  for (std::size_t i = 1; i < 4; ++i) round.t[i].reset();
  round.echo = {std::nullopt, std::nullopt}; // IE(R=N) too: 358 references
  const SilenceVerdict v = judge({round}, closed_tcp_answered());
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T3", "T4", "IE"}));
  EXPECT_FALSE(v.filtered());
}

TEST(ProbeSilence, U1IgnoredByAPortThatAnsweredTheUdpScanMeansAFilter) {
  RoundReplies round = answered_round();
  round.u1.reset();
  round.t[1].reset(); // T2 silent as most stacks are
  PortScanEvidence evidence;
  evidence.closed_udp_port_answered = true;
  const SilenceVerdict v = judge({round}, evidence);
  EXPECT_EQ(v.filtered_tests, (Names{"T2", "U1"}));
  EXPECT_NE(v.evidence.find("U1"), std::string::npos) << v.evidence;
  // Without the UDP scan's answer the same silence is the stack's.
  EXPECT_FALSE(judge({round}, PortScanEvidence{}).filtered());
}

TEST(ProbeSilence, ADefaultDenyFirewallBlamesOnlyTheClosedPortLines) {
  // The port scan's SYNs to every port but the open ones went unanswered, and T5-T7 (sent to a
  // random port) and U1 are silent; T2 (open port) and IE are silent too, but such a firewall lets
  // those through, so their silence stays the stack's R=N.
  RoundReplies round = answered_round();
  for (std::size_t i = 4; i < 7; ++i) round.t[i].reset();
  round.u1.reset();
  round.t[1].reset();
  round.echo = {std::nullopt, std::nullopt};
  PortScanEvidence evidence;
  evidence.closed_tcp_ports_filtered = true;
  const SilenceVerdict v = judge({round}, evidence);
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T5", "T6", "T7", "U1", "IE"}));
  EXPECT_EQ(v.filtered_tests, (Names{"T5", "T6", "T7", "U1"}));
  EXPECT_NE(v.evidence.find("port scan"), std::string::npos) << v.evidence;

  // T5 answered after all (the firewall let it through): the evidence does not hold.
  round.t[4] = Reply{};
  EXPECT_FALSE(judge({round}, evidence).filtered());

  // A contradiction still blames every silence.
  evidence.closed_udp_port_answered = true;
  RoundReplies u1_silent = answered_round();
  u1_silent.u1.reset();
  u1_silent.t[1].reset();
  EXPECT_EQ(judge({u1_silent}, evidence).filtered_tests, (Names{"T2", "U1"}));
}

TEST(ProbeSilence, AnAnswerInAnyRoundEndsTheSilence) {
  RoundReplies later = firewalled_round();
  later.t[4] = Reply{}; // T5 answered in round 2: loss, not a filter
  const SilenceVerdict v = judge({firewalled_round(), later}, closed_tcp_answered());
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T3", "T4", "T6", "T7", "U1", "IE"}));
  EXPECT_FALSE(v.filtered());
}

TEST(ProbeSilence, ProbesNeverSentAreNotSilent) {
  RoundReplies round = firewalled_round();
  for (const ProbeId id : {ProbeId::T5, ProbeId::T6, ProbeId::T7}) round.sends[static_cast<std::size_t>(id)] = 0;
  const SilenceVerdict v = judge({round}, closed_tcp_answered());
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T3", "T4", "U1", "IE"}));
  EXPECT_FALSE(v.filtered());
}

TEST(ProbeSilence, OneEchoReplyIsAnAnswerAndT1CountsTheSeq1Reply) {
  RoundReplies round = firewalled_round();
  round.echo[1] = Reply{};
  round.sends[static_cast<std::size_t>(ProbeId::T1)] = 0; // T1 not sent: SEQ1 answered for it
  const SilenceVerdict v = judge({round}, closed_tcp_answered());
  EXPECT_EQ(v.silent_tests, (Names{"T2", "T3", "T4", "T5", "T6", "T7", "U1"}));
  round.t[0].reset();
  EXPECT_EQ(judge({round}, closed_tcp_answered()).silent_tests.front(), "T1");
}

TEST(ProbeSilence, NoRoundsNoVerdict) { EXPECT_EQ(judge({}, closed_tcp_answered()), SilenceVerdict{}); }

} // namespace
} // namespace stackprint::responses
