// Loss and rate-limit recovery of the OS-scan engine, against scripted targets that
// drop chosen replies: only what is missing is re-sent, sequence values come from one valid train,
// the host stops when nothing can change, and an ICMP rate limit delays only its own host.

#include <algorithm>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/responses/round_analysis.hpp"

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using probes::ProbeId;
using testing::config;
using testing::k_target;
using testing::lab_host;
using testing::never_perfect;
using testing::Simulation;

std::map<ProbeId, int> send_counts(const Simulation& sim, std::uint32_t destination = k_target) {
  std::map<ProbeId, int> counts;
  for (const auto& s : sim.sent) {
    if (s.destination == destination) { ++counts[s.probe]; }
  }
  return counts;
}

std::string fingerprint_of(const CompletedRound& round) {
  responses::RoundConditions conditions;
  conditions.ports = {true, true};
  return fingerprint::format_plain(responses::analyze_round(round.replies, round.context, conditions).fingerprint);
}

// The fingerprint of the fake stack scanned without loss (with one IP ID counter for every reply
// when `shared_counter`); empty, with a test failure, when the scan did not finish.
std::string loss_free_fingerprint(bool shared_counter) {
  testing::FakeTarget clean(k_target, 80);
  clean.shared_ip_id_counter = shared_counter;
  Simulation loss_free = testing::simulate_one_host(clean, never_perfect);
  EXPECT_EQ(loss_free.finished.size(), 1U);
  if (loss_free.finished.empty() || loss_free.finished[0].rounds().empty()) { return {}; }
  return fingerprint_of(loss_free.finished[0].rounds()[0]);
}

// The probes a loss-free scan of the fake Linux sends: SEQ1-6, IE1, IE2, U1, ECN, T2-T7, with the
// silent T2 and T3 sent 4 times each.
constexpr int k_loss_free_sends = 6 + 3 + 1 + 4 + 4 + 4;

TEST(LossRecovery, LossFreeHostStopsAfterOneRoundWhenNothingCanChange) {
  testing::FakeTarget target(k_target, 80);
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].rounds().size(), 1U);
  EXPECT_EQ(sim.finished[0].train_rounds(), 0);
  EXPECT_EQ(static_cast<int>(sim.sent.size()), k_loss_free_sends);
}

TEST(LossRecovery, LostTuiRepliesAreResentAloneWithinTheRound) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::T5] = 1;
  target.drop_first[ProbeId::U1] = 1;
  target.drop_first[ProbeId::ECN] = 1;
  auto c = config();
  c.adaptive_sends = false; // (tested below) the three losses would earn T2/T3 a fifth send
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].rounds().size(), 1U) << "a lost T5/U1/ECN reply must not cost a round";
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::T5], 2);
  EXPECT_EQ(counts[ProbeId::U1], 2);
  EXPECT_EQ(counts[ProbeId::ECN], 2);
  EXPECT_EQ(counts[ProbeId::T4], 1);
  EXPECT_EQ(counts[ProbeId::SEQ1], 1);
  EXPECT_EQ(counts[ProbeId::IE1], 1);
  EXPECT_EQ(static_cast<int>(sim.sent.size()), k_loss_free_sends + 3);
  const auto& replies = sim.finished[0].rounds()[0].replies;
  EXPECT_TRUE(replies.t[4] && replies.u1 && replies.ecn);
}

TEST(LossRecovery, OneLostSeqReplyCostsOnlyItsOpsResend) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::SEQ3] = 1; // SEQ3's reply is lost; the OPS3 re-send is answered
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].train_rounds(), 0) << "five samples 100 ms apart give every SEQ value";
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::OPS3], 1);
  EXPECT_EQ(counts[ProbeId::SEQ3], 1);
  EXPECT_EQ(static_cast<int>(sim.sent.size()), k_loss_free_sends + 1);
  const std::string text = fingerprint_of(sim.finished[0].rounds()[0]);
  EXPECT_NE(text.find("OPS(O1="), std::string::npos) << text;
  EXPECT_NE(text.find("SEQ(SP="), std::string::npos) << text;
}

// The value of one attribute of a test line in a plain fingerprint text ("" when absent).
std::string attribute(const std::string& text, const std::string& line, const std::string& name) {
  const auto at = text.find(line + "(");
  if (at == std::string::npos) { return ""; }
  const auto end = text.find(')', at);
  const std::string body = text.substr(at + line.size() + 1, end - at - line.size() - 1);
  for (const std::string& key : {"(" + name + "=", "%" + name + "="}) {
    const auto pos = ("(" + body).find(key);
    if (pos == std::string::npos) { continue; }
    const std::string rest = ("(" + body).substr(pos + key.size());
    return rest.substr(0, rest.find('%'));
  }
  return "";
}

// SEQ2's SYN/ACK is lost and the target retransmits it 1 s later with the same ISN and a fresh
// TSval (a Linux kernel). The retransmission arrives long after SEQ2's timeout: it is no SEQ
// sample, so TS, ISR and SP are those of the loss-free scan, read from the five samples that came
// in time, and the slot counts as lost.
TEST(LossRecovery, LateRetransmittedSynAckIsNoSeqSample) {
  testing::FakeTarget clean(k_target, 80);
  Simulation reference = testing::simulate_one_host(clean, never_perfect);
  ASSERT_EQ(reference.finished.size(), 1U);
  const std::string loss_free = fingerprint_of(reference.finished[0].rounds()[0]);

  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::SEQ2] = 1;
  target.syn_ack_retransmit_after_s = 1.005;
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  const HostOsScan& host = sim.finished[0];
  ASSERT_EQ(host.rounds().size(), 1U);
  const auto& kept = host.rounds()[0].replies;
  EXPECT_EQ(kept.seq_late, 0b10) << "the retransmission must have arrived within the round";
  EXPECT_FALSE(kept.seq[1].has_value());
  const std::string text = fingerprint_of(host.rounds()[0]);
  for (const char* name : {"TS", "SP", "ISR", "GCD"}) {
    EXPECT_EQ(attribute(text, "SEQ", name), attribute(loss_free, "SEQ", name)) << name << "\n" << text;
  }
  EXPECT_FALSE(attribute(text, "SEQ", "TS").empty()) << text;
}

// The same retransmission after two lost SEQ replies: the slot counts as lost, so the train gets
// a fresh one instead of being kept with the retransmission in it.
TEST(LossRecovery, LateRetransmissionCountsAsALostSeqReply) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::SEQ2] = 1;
  target.drop_first[ProbeId::SEQ4] = 1;
  target.syn_ack_retransmit_after_s = 0.3;
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  const HostOsScan& host = sim.finished[0];
  EXPECT_EQ(host.train_rounds(), 1);
  ASSERT_EQ(host.rounds().size(), 1U);
  for (std::size_t i = 0; i < 6; ++i) { EXPECT_TRUE(host.rounds()[0].replies.seq[i]) << "slot " << i; }
  EXPECT_EQ(host.rounds()[0].replies.seq_late, 0);
}

TEST(LossRecovery, LostSeqRepliesGetAFreshTrainAndNothingElseIsResent) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::SEQ3] = 1; // two SEQ replies lost; the OPS re-sends are answered
  target.drop_first[ProbeId::SEQ5] = 1;
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  const HostOsScan& host = sim.finished[0];
  EXPECT_EQ(host.end(), HostEnd::complete);
  EXPECT_EQ(host.train_rounds(), 1);
  // The train round replaced the broken one: one round, whose six SEQ samples all came from the
  // new train, sent 100 ms apart.
  ASSERT_EQ(host.rounds().size(), 1U);
  const auto& kept = host.rounds()[0];
  for (std::size_t i = 0; i < 6; ++i) {
    ASSERT_TRUE(kept.replies.seq[i]) << "slot " << i;
    ASSERT_TRUE(kept.replies.seq_send_times[i]);
    if (i > 0) { EXPECT_EQ(*kept.replies.seq_send_times[i] - *kept.replies.seq_send_times[i - 1], 100ms); }
  }
  EXPECT_FALSE(kept.replies.echo_reply_after_retransmission[0] || kept.replies.echo_reply_after_retransmission[1]);
  // Second train: SEQ1-6 only (TI=Z: no SS, so the echo pair need not follow the train); T2-T7,
  // ECN and U1 only in the first round.
  auto counts = send_counts(sim);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(counts[static_cast<ProbeId>(i)], 2) << probes::probe_name(static_cast<ProbeId>(i));
  }
  EXPECT_EQ(counts[ProbeId::OPS3], 1);
  EXPECT_EQ(counts[ProbeId::OPS5], 1);
  EXPECT_EQ(counts[ProbeId::IE1], 1);
  EXPECT_EQ(counts[ProbeId::IE2], 1);
  EXPECT_EQ(counts[ProbeId::U1], 1);
  EXPECT_EQ(counts[ProbeId::ECN], 1);
  EXPECT_EQ(counts[ProbeId::T2], 4);
  EXPECT_EQ(counts[ProbeId::T5], 1);
  EXPECT_EQ(static_cast<int>(sim.sent.size()), k_loss_free_sends + 2 + 6);
  // The carried-over tests are in the kept round, judged against the same ISN base and ACK.
  const std::string text = fingerprint_of(kept);
  EXPECT_NE(text.find("T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR"), std::string::npos) << text;
  EXPECT_NE(text.find("U1(R=Y"), std::string::npos) << text;
  EXPECT_NE(text.find("OPS(O1="), std::string::npos) << text;
  EXPECT_NE(text.find("T2(R=N)"), std::string::npos) << text;
}

TEST(LossRecovery, ABrokenEchoPairAloneIsResentAloneWhenNoSsCanExist) {
  testing::FakeTarget target(k_target, 80); // TI=Z
  target.drop_first[ProbeId::IE2] = 1;
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].train_rounds(), 1);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::SEQ1], 1);
  EXPECT_EQ(counts[ProbeId::IE1], 2);
  EXPECT_EQ(counts[ProbeId::IE2], 3); // lost, re-sent (no II from it), then a fresh pair
  EXPECT_EQ(static_cast<int>(sim.sent.size()), k_loss_free_sends + 1 + 2);
  const auto& kept = sim.finished[0].rounds()[0];
  EXPECT_NE(fingerprint_of(kept).find("II=I"), std::string::npos) << fingerprint_of(kept);
  EXPECT_TRUE(kept.replies.seq[0] && kept.replies.seq[5]) << "the SEQ train is carried over";
}

TEST(LossRecovery, WithASharedIpIdCounterTrainAndEchoPairAreResentTogether) {
  // SS compares the echo replies' IP IDs with the train's, so a new train needs a new pair right
  // after it, and a broken pair needs a new train before it.
  const std::string expected = loss_free_fingerprint(true);
  ASSERT_FALSE(expected.empty());
  ASSERT_NE(expected.find("SS=S"), std::string::npos) << expected;

  for (const ProbeId lost : {ProbeId::SEQ3, ProbeId::IE1}) {
    testing::FakeTarget target(k_target, 80);
    target.shared_ip_id_counter = true;
    target.drop_first[lost] = 1;
    if (lost == ProbeId::SEQ3) { target.drop_first[ProbeId::SEQ4] = 1; }
    Simulation sim = testing::simulate_one_host(target, never_perfect);
    ASSERT_EQ(sim.finished.size(), 1U);
    EXPECT_EQ(sim.finished[0].train_rounds(), 1);
    auto counts = send_counts(sim);
    EXPECT_EQ(counts[ProbeId::SEQ6], 2) << probes::probe_name(lost);
    EXPECT_GE(counts[ProbeId::IE2], 2) << probes::probe_name(lost);
    EXPECT_EQ(counts[ProbeId::U1], 1);
    const std::string text = fingerprint_of(sim.finished[0].rounds()[0]);
    EXPECT_NE(text.find("SS=S"), std::string::npos) << text;
    EXPECT_NE(text.find("II=I"), std::string::npos) << text;
  }
}

// CI reads the T5-T7 replies' IP IDs in probe order. With one counter for every reply, T5's reply
// lost and re-sent after T6 and T7 were answered numbers T5 last: a backward step, which CI reads as
// RD. The closed triple is re-sent alone, one probe at a time, and CI reads the counter again.
TEST(LossRecovery, ClosedRepliesReorderedByAResendAreResentInOrder) {
  const std::string expected = loss_free_fingerprint(true);
  ASSERT_FALSE(expected.empty());
  ASSERT_NE(expected.find("CI=I"), std::string::npos) << expected;

  testing::FakeTarget lossy(k_target, 80);
  lossy.shared_ip_id_counter = true;
  lossy.drop_first[ProbeId::T5] = 1;
  Simulation sim = testing::simulate_one_host(lossy, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].train_rounds(), 1);
  ASSERT_EQ(sim.finished[0].rounds().size(), 1U) << "the train round replaces the round it repairs";
  EXPECT_EQ(fingerprint_of(sim.finished[0].rounds()[0]), expected);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::T5], 3); // lost, re-sent, then the new triple
  EXPECT_EQ(counts[ProbeId::T6], 2);
  EXPECT_EQ(counts[ProbeId::T7], 2);
  EXPECT_EQ(counts[ProbeId::SEQ1], 1) << "the sound train is kept";
  EXPECT_EQ(counts[ProbeId::IE1], 1) << "the sound echo pair is kept";
  // The new triple left one probe at a time: T6 after T5's reply, T7 after T6's.
  std::vector<ProbeId> triple;
  for (const auto& s : sim.sent) {
    if (s.probe == ProbeId::T5 || s.probe == ProbeId::T6 || s.probe == ProbeId::T7) { triple.push_back(s.probe); }
  }
  ASSERT_EQ(triple.size(), 7U);
  EXPECT_EQ(std::vector<ProbeId>(triple.end() - 3, triple.end()),
            (std::vector<ProbeId>{ProbeId::T5, ProbeId::T6, ProbeId::T7}));

  // A re-sent T7 (the last of the three) leaves the order as it is: nothing more to send.
  testing::FakeTarget last_lost(k_target, 80);
  last_lost.shared_ip_id_counter = true;
  last_lost.drop_first[ProbeId::T7] = 1;
  Simulation kept = testing::simulate_one_host(last_lost, never_perfect);
  ASSERT_EQ(kept.finished.size(), 1U);
  EXPECT_EQ(kept.finished[0].train_rounds(), 0);
  EXPECT_EQ(fingerprint_of(kept.finished[0].rounds()[0]), expected);
}

// In the train round each probe of the re-sent triple waits for the answer to the one before: the
// new T5's first reply lost, T6 leaves only after T5's re-send, so the replies stay in order.
TEST(LossRecovery, ARepairedClosedTripleWaitsForEachAnswer) {
  const std::string expected = loss_free_fingerprint(true);
  ASSERT_FALSE(expected.empty());
  testing::FakeTarget lossy(k_target, 80);
  lossy.shared_ip_id_counter = true;
  lossy.drop_first[ProbeId::T5] = 1;   // round 1: T5 answered only after T6 and T7
  lossy.drop_nth = {{ProbeId::T5, 3}}; // round 2: the new T5's first reply lost too
  Simulation sim = testing::simulate_one_host(lossy, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].train_rounds(), 1);
  EXPECT_EQ(fingerprint_of(sim.finished[0].rounds().back()), expected);
  std::vector<ProbeId> closed;
  for (const auto& sent : sim.sent) {
    if (sent.probe == ProbeId::T5 || sent.probe == ProbeId::T6 || sent.probe == ProbeId::T7) {
      closed.push_back(sent.probe);
    }
  }
  // Round 2, the last four: T5, T5 again, then T6, then T7.
  ASSERT_GE(closed.size(), 4U);
  EXPECT_EQ(std::vector<ProbeId>(closed.end() - 4, closed.end()),
            (std::vector<ProbeId>{ProbeId::T5, ProbeId::T5, ProbeId::T6, ProbeId::T7}));
}

// A train round whose new train came through worse than the one it was to repair is dropped, but
// the closed triple it re-sent in order is kept: the next train round need not send it again.
TEST(LossRecovery, AnOrderedClosedTripleOutlivesAWorseTrain) {
  const std::string expected = loss_free_fingerprint(true);
  ASSERT_FALSE(expected.empty());

  testing::FakeTarget lossy(k_target, 80);
  lossy.shared_ip_id_counter = true;
  lossy.drop_first[ProbeId::SEQ3] = 1; // round 1: two SEQ replies lost (their OPS re-sends answered)
  lossy.drop_first[ProbeId::SEQ5] = 1;
  lossy.drop_first[ProbeId::T5] = 1; // and T5 answered only after T6 and T7
  // Round 2 (train, echo pair and closed triple): three SEQ replies lost, a worse train.
  lossy.drop_nth = {{ProbeId::SEQ1, 2}, {ProbeId::SEQ2, 2}, {ProbeId::SEQ4, 2}};
  Simulation sim = testing::simulate_one_host(lossy, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].train_rounds(), 2);
  ASSERT_EQ(sim.finished[0].rounds().size(), 1U);
  EXPECT_EQ(fingerprint_of(sim.finished[0].rounds()[0]), expected);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::T5], 3) << "round 1 twice, round 2 once; round 3 sends no triple";
  EXPECT_EQ(counts[ProbeId::T7], 2);
}

// A re-sent triple that never gets a reply the round before had is no better: T6(R=N) would be
// wrong. The old triple stays, and another train round sends the triple again.
TEST(LossRecovery, AClosedTripleThatLostAnAnswerIsResentAgain) {
  const std::string expected = loss_free_fingerprint(true);
  ASSERT_FALSE(expected.empty());

  testing::FakeTarget lossy(k_target, 80);
  lossy.shared_ip_id_counter = true;
  lossy.drop_first[ProbeId::T5] = 1;
  for (int n = 2; n <= 9; ++n) { lossy.drop_nth.insert({ProbeId::T6, n}); } // every T6 of round 2
  Simulation sim = testing::simulate_one_host(lossy, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_GE(sim.finished[0].train_rounds(), 2);
  EXPECT_EQ(fingerprint_of(sim.finished[0].rounds().back()), expected);
  EXPECT_EQ(send_counts(sim)[ProbeId::T6], 10) << "once in round 1, 8 times in vain, then answered";
}

TEST(LossRecovery, TheRepairedFingerprintEqualsTheLossFreeOne) {
  testing::FakeTarget clean(k_target, 80);
  Simulation loss_free = testing::simulate_one_host(clean, never_perfect);
  ASSERT_EQ(loss_free.finished.size(), 1U);

  testing::FakeTarget lossy(k_target, 80);
  lossy.drop_first[ProbeId::SEQ5] = 1;
  lossy.drop_first[ProbeId::SEQ2] = 1;
  lossy.drop_first[ProbeId::IE2] = 1;
  lossy.drop_first[ProbeId::T7] = 2;
  Simulation sim = testing::simulate_one_host(lossy, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  ASSERT_EQ(sim.finished[0].rounds().size(), 1U);
  EXPECT_EQ(fingerprint_of(sim.finished[0].rounds()[0]), fingerprint_of(loss_free.finished[0].rounds()[0]));
}

TEST(LossRecovery, NmapRetriesStillResendsWholeRounds) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first[ProbeId::SEQ3] = 1;
  auto c = config();
  c.resend_only_missing = false; // what --nmap-retries sets, with the two stop rules off
  c.stop_when_complete = false;
  c.stop_when_stable = false;
  c.max_os_tries = 2;
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::tries_exhausted);
  EXPECT_EQ(sim.finished[0].rounds().size(), 2U);
  EXPECT_EQ(sim.finished[0].train_rounds(), 0);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::T5], 2);
  EXPECT_EQ(counts[ProbeId::U1], 2);
  EXPECT_EQ(counts[ProbeId::T2], 8) << "4 sends per round, as Nmap";
}

TEST(LossRecovery, ABrokenTrainThatRepeatsTheSameWayStops) {
  testing::FakeTarget target(k_target, 80);
  target.drop_always = {ProbeId::SEQ4, ProbeId::SEQ5}; // and OPS4/OPS5 (same shapes): deterministic
  auto c = config();
  c.max_os_tries = 5;
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::stable);
  EXPECT_EQ(sim.finished[0].train_rounds(), 1) << "one repair, then the same defect again ends it";
  EXPECT_EQ(sim.finished[0].rounds().size(), 1U);
}

TEST(LossRecovery, TrainsAreBoundedByMaxOsTries) {
  testing::FakeTarget target(k_target, 80);
  // Each train breaks differently: SEQ2+5 in the first, SEQ3+6 in the second, SEQ4+1 in the third.
  target.drop_nth = {{ProbeId::SEQ2, 1}, {ProbeId::SEQ5, 1}, {ProbeId::SEQ3, 2},
                     {ProbeId::SEQ6, 2}, {ProbeId::SEQ4, 3}, {ProbeId::SEQ1, 3}};
  auto c = config();
  c.max_os_tries = 3;
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::tries_exhausted);
  EXPECT_EQ(sim.finished[0].train_rounds(), 2);
  EXPECT_EQ(send_counts(sim)[ProbeId::SEQ1], 3);
}

TEST(LossRecovery, ATimingOnlyMissGetsOneMoreTrainAppended) {
  testing::FakeTarget target(k_target, 80);
  int calls = 0;
  const RoundJudge judge = [&calls](const fingerprint::Fingerprint&) {
    return ++calls == 1 ? RoundVerdict::missed_only_on_timing : RoundVerdict::perfect_match;
  };
  Simulation sim = testing::simulate_one_host(target, judge);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::perfect_match);
  ASSERT_EQ(sim.finished[0].rounds().size(), 2U) << "appended: both tries stay, as Nmap's would";
  EXPECT_EQ(calls, 2);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::SEQ6], 2);
  EXPECT_EQ(counts[ProbeId::IE1], 2);
  EXPECT_EQ(counts[ProbeId::T5], 1);
  EXPECT_EQ(counts[ProbeId::U1], 1);
  // The second round's T and U1 tests are the first round's.
  const auto& rounds = sim.finished[0].rounds();
  EXPECT_NE(rounds[1].context.tcp_port_base, rounds[0].context.tcp_port_base);
  EXPECT_EQ(rounds[1].context.udp_port_base, rounds[0].context.udp_port_base);
  EXPECT_EQ(fingerprint_of(rounds[1]), fingerprint_of(rounds[0]));
}

TEST(LossRecovery, BehindAnIcmpRateLimitATimingRetryKeepsItsEchoPair) {
  testing::FakeTarget target(k_target, 80);
  target.icmp_per_second = 1.0;
  int calls = 0;
  const RoundJudge judge = [&calls](const fingerprint::Fingerprint&) {
    return ++calls == 1 ? RoundVerdict::missed_only_on_timing : RoundVerdict::no_perfect_match;
  };
  Simulation sim = testing::simulate_one_host(target, judge);
  ASSERT_EQ(sim.finished.size(), 1U);
  ASSERT_EQ(sim.finished[0].rounds().size(), 2U);
  auto counts = send_counts(sim);
  EXPECT_EQ(counts[ProbeId::SEQ1], 2);
  // IE1 once, IE2 three times (the third after the 1 s spacing), and no new pair.
  EXPECT_EQ(counts[ProbeId::IE1], 1);
  EXPECT_EQ(counts[ProbeId::IE2], 3);
  EXPECT_TRUE(sim.finished[0].rounds()[1].replies.echo[1].has_value());
  EXPECT_LT(sim.finished_at.at(k_target).time_since_epoch(), std::chrono::duration_cast<Duration>(4s));
}

TEST(LossRecovery, WithoutTimingValuesDropsOnlySpGcdIsr) {
  fingerprint::Fingerprint fp;
  fp.tests.push_back({"SEQ", {{"SP", "101"}, {"GCD", "1"}, {"ISR", "10A"}, {"TI", "Z"}, {"TS", "A"}}});
  fp.tests.push_back({"T1", {{"R", "Y"}, {"SP", "keep"}}});
  const auto out = without_timing_values(fp);
  ASSERT_EQ(out.tests.size(), 2U);
  EXPECT_EQ(out.tests[0].attributes, (std::vector<fingerprint::Attribute>{{"TI", "Z"}, {"TS", "A"}}));
  EXPECT_EQ(out.tests[1], fp.tests[1]);
}

TEST(LossRecovery, SilentProbesGetMoreSendsOnlyWhenTheHostLosesReplies) {
  testing::FakeTarget target(k_target, 80);
  for (const ProbeId id :
       {ProbeId::IE1, ProbeId::IE2, ProbeId::U1, ProbeId::ECN, ProbeId::T4, ProbeId::T5, ProbeId::T6, ProbeId::T7}) {
    target.drop_first[id] = 2; // heavy loss: every answered probe needed 3 sends
  }
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_GT(sim.finished[0].estimated_loss(), 0.3);
  auto counts = send_counts(sim);
  EXPECT_GT(counts[ProbeId::T2], 4) << "4 silent sends are likely bad luck at this loss";
  EXPECT_LE(counts[ProbeId::T2], config().max_tui_sends_under_loss);
  EXPECT_EQ(counts[ProbeId::T2], counts[ProbeId::T3]);
}

// A host known up without an open port (only by ARP, its IP traffic dropped) answers no OS
// probe and has no SEQ train to lose: no evidence of loss, so every probe gets Nmap's 4 sends, not
// the 8 that an estimate without evidence (0.5) would give. With an open port, six lost SEQ
// replies are such evidence: 8.
TEST(LossRecovery, AHostThatAnswersNothingWithoutEvidenceOfLossGetsNmapsSends) {
  for (const bool open_port : {false, true}) {
    testing::FakeTarget target(k_target, 80);
    for (const auto id : probes::k_all_probe_ids) target.drop_always.insert(id);
    Simulation sim{OsScan(config(), never_perfect, 7), {{k_target, &target}}};
    HostTarget host = lab_host();
    host.conditions_not_ideal = !open_port;
    if (!open_port) { host.open_tcp_port.reset(); }
    sim.scan.add_host(host, sim.now, Timestamp{});
    sim.run();
    ASSERT_EQ(sim.finished.size(), 1U);
    auto counts = send_counts(sim);
    const int expected = open_port ? config().max_tui_sends_under_loss : config().max_tui_sends;
    for (const ProbeId id : {ProbeId::T5, ProbeId::T7, ProbeId::U1}) {
      EXPECT_EQ(counts[id], expected) << probes::probe_name(id) << (open_port ? " with" : " without")
                                      << " an open port";
    }
    EXPECT_EQ(counts[ProbeId::SEQ1] > 0, open_port);
  }
}

TEST(LossRecovery, IcmpRateLimitedHostDoesNotDelayTheOthers) {
  const auto finish_of_clean_host = [](bool with_limited_neighbour) {
    testing::FakeTarget clean(k_target, 80);
    testing::FakeTarget limited(k_target + 1, 80);
    limited.icmp_per_second = 1.0;
    Simulation sim{OsScan(config(), never_perfect, 7), {{k_target, &clean}, {k_target + 1, &limited}}};
    sim.scan.add_host(lab_host(), sim.now, Timestamp{});
    if (with_limited_neighbour) { sim.scan.add_host(lab_host(k_target + 1), sim.now, Timestamp{}); }
    sim.run();
    EXPECT_EQ(sim.finished.size(), with_limited_neighbour ? 2U : 1U);
    if (with_limited_neighbour) {
      EXPECT_GT(limited.rate_limited(), 0U);
      // The limited host waits its limit out and still gets its U1 and echo replies.
      for (const auto& host : sim.finished) {
        if (host.target().address == k_target + 1) {
          const auto& replies = host.rounds().back().replies;
          EXPECT_TRUE(replies.u1.has_value()) << "U1 re-sends spaced past the 1/s limit";
          EXPECT_TRUE(replies.echo[0] && replies.echo[1]);
          EXPECT_GT(sim.finished_at.at(k_target + 1), sim.finished_at.at(k_target));
        }
      }
    }
    return sim.finished_at.at(k_target);
  };
  const Instant alone = finish_of_clean_host(false);
  EXPECT_LT(alone.time_since_epoch(), std::chrono::duration_cast<Duration>(2s));
  const Instant beside_limited = finish_of_clean_host(true);
  EXPECT_LE(beside_limited - alone, 5ms) << "the clean host must finish as if alone";
}

// 100 seeded hosts with `loss` reply loss against the same fake stack (with one IP ID counter for
// every reply when `shared_counter`, which makes TI, CI, II and SS depend on the replies' order): how
// many kept rounds' fingerprints equal the loss-free one (the fake's ISNs and timestamps advance per
// reply, so SEQ values are exact), and the packets sent.
struct LossyRun {
  int same = 0;
  std::size_t packets = 0;
  std::vector<std::string> differing;
};
LossyRun scan_lossy_hosts(double loss, bool shared_counter) {
  const std::string expected = loss_free_fingerprint(shared_counter);
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  Simulation sim{OsScan(config(), never_perfect, 11), {}};
  constexpr std::uint32_t k_hosts = 100;
  for (std::uint32_t i = 0; i < k_hosts; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    fakes.back()->reply_loss = loss;
    fakes.back()->shared_ip_id_counter = shared_counter;
    fakes.back()->loss_random.seed(1000 + i);
    sim.targets[k_target + i] = fakes.back().get();
    sim.scan.add_host(lab_host(k_target + i), sim.now, Timestamp{});
  }
  sim.run(300s);
  EXPECT_EQ(sim.finished.size(), k_hosts);
  LossyRun run;
  run.packets = sim.sent.size();
  for (const auto& host : sim.finished) {
    if (host.rounds().empty()) { continue; }
    // The reported round: the last kept one (a perfect judge would have stopped there).
    const std::string text = fingerprint_of(host.rounds().back());
    if (text == expected) {
      ++run.same;
    } else {
      run.differing.push_back(text);
    }
  }
  return run;
}

TEST(LossRecovery, ASharedCounterStackKeepsItsFingerprintAtTenPercentLoss) {
  // TI, CI, II and SS all read one counter here: a re-send that reorders replies would change them.
  const LossyRun run = scan_lossy_hosts(0.1, true);
  EXPECT_GE(run.same, 98) << (run.differing.empty() ? "" : run.differing.front());
}

TEST(LossRecovery, TenPercentLossKeepsTheFingerprintAndAtMostDoublesThePackets) {
  // 100 seeded hosts with 10% reply loss against the same fake stack: the kept round's
  // fingerprint must equal the loss-free one (the fake's ISNs and timestamps advance per reply,
  // so SEQ values are exact), and the packets stay under twice the loss-free count.
  testing::FakeTarget clean(k_target, 80);
  Simulation loss_free = testing::simulate_one_host(clean, never_perfect);
  ASSERT_EQ(loss_free.finished.size(), 1U);
  const std::string expected = fingerprint_of(loss_free.finished[0].rounds()[0]);

  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  Simulation sim{OsScan(config(), never_perfect, 11), {}};
  constexpr std::uint32_t k_hosts = 100;
  for (std::uint32_t i = 0; i < k_hosts; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    fakes.back()->reply_loss = 0.1;
    fakes.back()->loss_random.seed(1000 + i);
    sim.targets[k_target + i] = fakes.back().get();
    sim.scan.add_host(lab_host(k_target + i), sim.now, Timestamp{});
  }
  sim.run(120s);
  ASSERT_EQ(sim.finished.size(), k_hosts);
  int same = 0;
  for (const auto& host : sim.finished) {
    ASSERT_FALSE(host.rounds().empty());
    std::string text;
    // The reported round: the last kept one (a perfect judge would have stopped there).
    text = fingerprint_of(host.rounds().back());
    same += text == expected ? 1 : 0;
  }
  EXPECT_GE(same, 98) << "hosts whose fingerprint equals the loss-free one";
  EXPECT_LE(sim.sent.size(), 2 * k_hosts * static_cast<std::size_t>(k_loss_free_sends));
}

} // namespace
} // namespace stackprint::engine
