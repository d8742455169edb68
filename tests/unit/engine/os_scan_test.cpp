#include "stackprint/engine/os_scan.hpp"

#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/responses/run_fingerprint.hpp"

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using probes::ProbeId;
using testing::always_perfect;
using testing::config;
using testing::k_target;
using testing::k_us;
using testing::lab_host;
using testing::never_perfect;
using testing::Simulation;

TEST(OsScan, OneRoundWhenTheJudgeFindsAPerfectMatch) {
  testing::FakeTarget target(k_target, 80);
  Simulation sim = testing::simulate_one_host(target, always_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::perfect_match);
  EXPECT_EQ(sim.finished[0].rounds().size(), 1U);
}

TEST(OsScan, SeqProbesAreSentAHundredMillisecondsApartThenTuiInNmapsOrder) {
  testing::FakeTarget target(k_target, 80);
  Simulation sim = testing::simulate_one_host(target, always_perfect);
  ASSERT_GE(sim.sent.size(), 6U);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(sim.sent[static_cast<std::size_t>(i)].probe, static_cast<ProbeId>(i));
    if (i > 0) {
      EXPECT_EQ(sim.sent[static_cast<std::size_t>(i)].at - sim.sent[static_cast<std::size_t>(i - 1)].at, 100ms);
    }
  }
  std::vector<ProbeId> first_sends;
  for (std::size_t i = 6; i < sim.sent.size(); ++i) {
    if (std::find(first_sends.begin(), first_sends.end(), sim.sent[i].probe) == first_sends.end()) {
      first_sends.push_back(sim.sent[i].probe);
    }
    if (i > 6) { EXPECT_GE(sim.sent[i].at - sim.sent[i - 1].at, 25ms); }
  }
  EXPECT_EQ(first_sends, (std::vector<ProbeId>{ProbeId::IE1, ProbeId::IE2, ProbeId::U1, ProbeId::ECN, ProbeId::T2,
                                               ProbeId::T3, ProbeId::T4, ProbeId::T5, ProbeId::T6, ProbeId::T7}));
  // T2 and T3 stay unanswered: sent 4 times each, nothing else more than once.
  std::map<ProbeId, int> counts;
  for (const auto& s : sim.sent) { ++counts[s.probe]; }
  EXPECT_EQ(counts[ProbeId::T2], 4);
  EXPECT_EQ(counts[ProbeId::T3], 4);
  EXPECT_EQ(counts[ProbeId::T4], 1);
  EXPECT_EQ(counts[ProbeId::IE1], 1);
}

TEST(OsScan, AScanDelaySpacesEveryProbeToTheHost) {
  testing::FakeTarget target(k_target, 80);
  OsScanConfig scan_config = config();
  apply_scan_delay(scan_config, 400ms);
  Simulation sim = testing::simulate_one_host(target, always_perfect, scan_config);
  ASSERT_GE(sim.sent.size(), 16U);
  for (std::size_t i = 1; i < sim.sent.size(); ++i) {
    EXPECT_GE(sim.sent[i].at - sim.sent[i - 1].at, 400ms) << "send " << i;
  }
  // Across tries too: the next try's first SEQ probe waits the delay after the last probe of the
  // try before, as Nmap's does.
  OsScanConfig retries = scan_config;
  retries.stop_when_stable = false;
  retries.stop_when_complete = false;
  retries.resend_only_missing = false;
  retries.host_timeout = std::chrono::seconds(600);
  testing::FakeTarget again(k_target, 80);
  Simulation tries = testing::simulate_one_host(again, never_perfect, retries);
  ASSERT_EQ(tries.finished.size(), 1U);
  ASSERT_EQ(tries.finished[0].rounds().size(), 5U);
  for (std::size_t i = 1; i < tries.sent.size(); ++i) {
    EXPECT_GE(tries.sent[i].at - tries.sent[i - 1].at, 400ms) << "send " << i << " of " << tries.sent.size();
  }
  OsScanConfig short_delay = config();
  apply_scan_delay(short_delay, 10ms);
  EXPECT_EQ(short_delay.seq_gap, 100ms) << "SEQ probes keep at least 100 ms";
  EXPECT_EQ(short_delay.tui_gap, 25ms);
}

TEST(OsScan, AScanDelayAboveOneSecondLeavesOutSpGcdAndIsr) {
  const auto seq_line = [](Duration delay) {
    testing::FakeTarget target(k_target, 80);
    OsScanConfig scan_config = config();
    apply_scan_delay(scan_config, delay);
    Simulation sim = testing::simulate_one_host(target, never_perfect, scan_config);
    EXPECT_EQ(sim.finished.size(), 1U);
    if (sim.finished.empty()) { return std::string(); }
    const auto run = responses::fingerprint_run(sim.finished[0].round_inputs(), sim.finished[0].run_facts());
    const std::string text = fingerprint::format_plain(run.merged);
    const auto start = text.find("SEQ(");
    return start == std::string::npos ? std::string() : text.substr(start, text.find(')', start) - start);
  };
  const std::string within = seq_line(1000ms);
  EXPECT_NE(within.find("ISR="), std::string::npos) << within;
  const std::string beyond = seq_line(1100ms);
  EXPECT_NE(beyond.find("SEQ("), std::string::npos) << "the other SEQ values stay";
  EXPECT_EQ(beyond.find("SP="), std::string::npos) << beyond;
  EXPECT_EQ(beyond.find("GCD="), std::string::npos) << beyond;
  EXPECT_EQ(beyond.find("ISR="), std::string::npos) << beyond;
}

// Above 500 ms of scan delay Nmap finds the conditions not ideal and stops after two tries; the
// engine applies that itself, whoever built the host's target.
TEST(OsScan, AScanDelayAboveHalfASecondAllowsTwoTries) {
  const auto rounds_with = [](Duration delay) {
    testing::FakeTarget target(k_target, 80);
    OsScanConfig c = config();
    c.stop_when_stable = false; // what --nmap-retries sets: whole rounds until the tries run out
    c.stop_when_complete = false;
    c.resend_only_missing = false;
    c.max_os_tries = 5;
    c.host_timeout = std::chrono::seconds(600);
    apply_scan_delay(c, delay);
    Simulation sim = testing::simulate_one_host(target, never_perfect, c);
    EXPECT_EQ(sim.finished.size(), 1U);
    if (sim.finished.empty()) { return std::size_t{0}; }
    EXPECT_EQ(sim.finished[0].end(), HostEnd::tries_exhausted);
    return sim.finished[0].rounds().size();
  };
  EXPECT_EQ(rounds_with(600ms), 2U);
  EXPECT_EQ(rounds_with(500ms), 5U) << "500 ms itself is still ideal";
}

// A silent closed side at a 1.1 s scan delay: each of T5-T7, U1 and the echo pair is sent up to
// four times a round, one probe per 1.1 s, so two rounds take more than 60 s. The default host
// timeout grows with the delay so that both rounds finish; a fixed 60 s cuts the host off.
TEST(OsScan, TheDefaultHostTimeoutLeavesRoomForTwoSlowRounds) {
  EXPECT_EQ(default_host_timeout(Duration::zero()), std::chrono::seconds(60));
  EXPECT_EQ(default_host_timeout(1100ms), std::chrono::seconds(60) + 64 * 1100ms);
  const auto end_with = [](Duration host_timeout) {
    testing::FakeTarget target(k_target, 80);
    target.drop_always = {ProbeId::T5, ProbeId::T6, ProbeId::T7, ProbeId::U1, ProbeId::IE1, ProbeId::IE2};
    OsScanConfig c = config();
    c.stop_when_stable = false;
    c.stop_when_complete = false;
    c.resend_only_missing = false;
    apply_scan_delay(c, 1100ms);
    c.host_timeout = host_timeout;
    Simulation sim{OsScan(c, never_perfect, 7), {{k_target, &target}}};
    sim.scan.add_host(lab_host(), sim.now, Timestamp{});
    sim.run(std::chrono::seconds(600));
    EXPECT_EQ(sim.finished.size(), 1U);
    return sim.finished.empty() ? HostEnd::running : sim.finished[0].end();
  };
  EXPECT_EQ(end_with(default_host_timeout(1100ms)), HostEnd::tries_exhausted);
  EXPECT_EQ(end_with(std::chrono::seconds(60)), HostEnd::host_timeout);
}

TEST(OsScan, OneRoundWhenEverySeqProbeWasAnswered) {
  testing::FakeTarget target(k_target, 80);
  Simulation sim = testing::simulate_one_host(target, never_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::complete);
  EXPECT_EQ(sim.finished[0].rounds().size(), 1U);
}

TEST(OsScan, StopsWhenTwoRoundsLeaveTheSameProbesUnanswered) {
  testing::FakeTarget target(k_target, 80);
  auto c = config();
  c.stop_when_complete = false;
  c.resend_only_missing = false;
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::stable);
  ASSERT_EQ(sim.finished[0].rounds().size(), 2U);
  // Each round moves the source ports by 256.
  EXPECT_EQ(sim.finished[0].rounds()[1].context.tcp_port_base - sim.finished[0].rounds()[0].context.tcp_port_base, 256);
}

// A late copy of a port-scan SYN/ACK goes to the port scan's source port; no OS probe uses it.
TEST(OsScan, ProbePortsStayClearOfThePortScanSourcePort) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const HostOsScan plain(lab_host(), config(), seed, Instant{}, Timestamp{});
    const std::uint16_t base = plain.probe_context().tcp_port_base;
    for (const std::uint16_t taken :
         {base, static_cast<std::uint16_t>(base + 5), static_cast<std::uint16_t>(base + 19)}) {
      HostTarget target = lab_host();
      target.port_scan_source_port = taken;
      const HostOsScan scan(target, config(), seed, Instant{}, Timestamp{});
      const std::uint16_t moved = scan.probe_context().tcp_port_base;
      EXPECT_TRUE(taken < moved || taken >= moved + 20) << "seed " << seed << " base " << moved << " taken " << taken;
    }
    HostTarget far = lab_host();
    far.port_scan_source_port = static_cast<std::uint16_t>(base - 1);
    EXPECT_EQ(HostOsScan(far, config(), seed, Instant{}, Timestamp{}).probe_context().tcp_port_base, base)
        << "a port outside the probes' range changes nothing";
  }
}

TEST(OsScan, NmapRetriesRunsEveryTry) {
  testing::FakeTarget target(k_target, 80);
  auto c = config();
  c.stop_when_stable = false;
  c.stop_when_complete = false;
  c.resend_only_missing = false;
  c.max_os_tries = 3;
  Simulation sim = testing::simulate_one_host(target, never_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_EQ(sim.finished[0].end(), HostEnd::tries_exhausted);
  EXPECT_EQ(sim.finished[0].rounds().size(), 3U);
}

TEST(OsScan, LostEchoIsResentAndTheRoundStillCompletes) {
  testing::FakeTarget target(k_target, 80);
  target.drop_first_n_echo = 1;
  Simulation sim = testing::simulate_one_host(target, always_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  const auto& replies = sim.finished[0].rounds()[0].replies;
  EXPECT_TRUE(replies.echo[0] && replies.echo[1]);
  EXPECT_TRUE(replies.echo_reply_after_retransmission[0]) << "its IP ID is no II sample";
  EXPECT_EQ(replies.sends[static_cast<std::size_t>(ProbeId::IE1)], 2U);
}

TEST(OsScan, FingerprintOfASimulatedLinuxHasNmapsShape) {
  testing::FakeTarget target(k_target, 80);
  Simulation sim = testing::simulate_one_host(target, always_perfect);
  ASSERT_EQ(sim.finished.size(), 1U);
  const auto& round = sim.finished[0].rounds()[0];
  responses::RunFacts facts;
  facts.target_address = k_target;
  facts.open_tcp_port = 80;
  facts.closed_tcp_port = 22;
  facts.closed_tcp_port_known = true;
  facts.closed_udp_port = 40125;
  facts.closed_udp_port_known = true;
  const auto run = responses::fingerprint_run({{&round.replies, &round.context}}, facts);
  const std::string text = fingerprint::format_plain(run.merged);
  EXPECT_NE(text.find("SEQ(SP="), std::string::npos) << text;
  EXPECT_NE(text.find("T2(R=N)"), std::string::npos) << text;
  EXPECT_NE(text.find("T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR"), std::string::npos) << text;
  EXPECT_NE(text.find("U1(R=Y%DF=N%T=40"), std::string::npos) << text;
  EXPECT_NE(text.find("IE(R=Y%DFI=N%T=40%CD=S)"), std::string::npos) << text;
  EXPECT_NE(text.find("OPS(O1=M5B4ST11NW7"), std::string::npos) << text;
}

// A stack that echoes the request's IP ID makes II read the two echo probes' IP IDs: with two
// independent draws about 2 runs in 100 would leave II out (or read BI or I); the pair's IDs are
// drawn so that every run reads RI.
TEST(OsScan, EchoPairReadsRandomIncrementsOnAStackThatReflectsIpIds) {
  responses::RunFacts facts;
  facts.target_address = k_target;
  facts.open_tcp_port = 80;
  facts.closed_tcp_port = 22;
  facts.closed_tcp_port_known = true;
  facts.closed_udp_port = 40125;
  facts.closed_udp_port_known = true;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    testing::FakeTarget target(k_target, 80);
    target.echo_reflects_ip_id = true;
    Simulation sim{OsScan(config(), always_perfect, seed), {{k_target, &target}}};
    sim.scan.add_host(lab_host(), sim.now, Timestamp{});
    sim.run();
    ASSERT_EQ(sim.finished.size(), 1U);
    const auto& round = sim.finished[0].rounds()[0];
    const auto run = responses::fingerprint_run({{&round.replies, &round.context}}, facts);
    const fingerprint::TestLine* seq = run.merged.find("SEQ");
    ASSERT_NE(seq, nullptr);
    const std::string* ii = seq->find("II");
    ASSERT_NE(ii, nullptr) << "seed " << seed << ": " << fingerprint::format_plain(run.merged);
    EXPECT_EQ(*ii, "RI") << "seed " << seed;
  }
}

TEST(OsScan, FullWindowDoesNotAskToBeWokenAtOnce) {
  testing::FakeTarget target(k_target, 80);
  target.drop_echo = true;
  target.drop_udp = true;
  auto c = config();
  c.window = 2; // IE1, IE2, U1 all unanswered: the window stays full until they time out
  Simulation sim = testing::simulate_one_host(target, always_perfect, c);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_LT(sim.turns, 1000U) << "next_wakeup() kept returning a time already due";
}

TEST(OsScan, HostThatNeverAnswersEndsAtItsDeadline) {
  testing::FakeTarget target(0x0A636409, 80); // answers nothing addressed to k_target
  auto c = config();
  c.host_timeout = 5s;
  Simulation sim{OsScan(c, never_perfect, 7), {{k_target, &target}}};
  sim.scan.add_host(lab_host(), sim.now, Timestamp{});
  sim.run(30s);
  ASSERT_EQ(sim.finished.size(), 1U);
  EXPECT_NE(sim.finished[0].end(), HostEnd::running);
  EXPECT_LE(sim.now.time_since_epoch(), std::chrono::duration_cast<std::chrono::steady_clock::duration>(6s));
}

TEST(OsScan, ManyHostsRunConcurrentlyAndAllFinish) {
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  Simulation sim{OsScan(config(), always_perfect, 7), {}};
  for (std::uint32_t i = 0; i < 64; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    sim.targets[k_target + i] = fakes.back().get();
    sim.scan.add_host(lab_host(k_target + i), sim.now, Timestamp{});
  }
  sim.run();
  EXPECT_EQ(sim.finished.size(), 64U);
  // All hosts share the schedule: 64 hosts take about as long as one (well under 2 s simulated).
  EXPECT_LT(sim.now.time_since_epoch(), std::chrono::duration_cast<std::chrono::steady_clock::duration>(2s));
}

TEST(OsScan, HostsKeepTheirPlaceInEveryBurstOfSeqProbes) {
  // Hosts of a group send their SEQ trains in step. A target that reads its ISN clock when it gets
  // to the probe (a busy router, the single-threaded emulator) measures each host's gaps from its
  // place in the burst, so that place must not move between SEQ1 and SEQ6 (it did when the host
  // loop's starting point rotated on every tick).
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  Simulation sim{OsScan(config(), always_perfect, 7), {}};
  constexpr std::uint32_t k_hosts = 5;
  for (std::uint32_t i = 0; i < k_hosts; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    sim.targets[k_target + i] = fakes.back().get();
    auto host = lab_host();
    host.address = k_target + i;
    sim.scan.add_host(host, sim.now, Timestamp{});
  }
  sim.run();
  ASSERT_EQ(sim.finished.size(), k_hosts);
  std::map<ProbeId, std::vector<std::uint32_t>> order; // SEQ i -> destinations in send order
  for (const auto& s : sim.sent) {
    if (probes::is_seq_probe(s.probe)) { order[s.probe].push_back(s.destination); }
  }
  ASSERT_EQ(order.size(), 6U);
  ASSERT_EQ(order[ProbeId::SEQ1].size(), k_hosts);
  for (const auto& [probe, destinations] : order) {
    EXPECT_EQ(destinations, order[ProbeId::SEQ1]) << probes::probe_name(probe);
  }
}

TEST(OsScan, RateLimitedTicksStartWithTheFirstHostLeftOut) {
  // Under --max-rate the host loop must still be fair: the host that got no turn goes first next.
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  OsScan scan(config(), always_perfect, 7, RateLimit{1000.0, 1.0});
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto host = lab_host();
    host.address = k_target + i;
    scan.add_host(host, Instant{}, Timestamp{});
  }
  std::vector<std::uint32_t> first_sends;
  // Nothing leaves before the gap that follows a host's port scan.
  EXPECT_TRUE(scan.tick(Instant{} + config().discovery_gap - 1ms, Timestamp{}).empty());
  Instant now = Instant{} + config().discovery_gap;
  for (int turn = 0; turn < 3; ++turn) {
    const auto packets = scan.tick(now, Timestamp{});
    ASSERT_EQ(packets.size(), 1U) << "one token per tick";
    first_sends.push_back(packets[0].destination);
    now += 1ms;
  }
  EXPECT_EQ(first_sends, (std::vector<std::uint32_t>{k_target, k_target + 1, k_target + 2}));
}

} // namespace
} // namespace stackprint::engine

namespace stackprint::engine {
namespace {

// Nmap scans UDP after its TCP port scan, so its SEQ1 follows the open port's SYN/ACK by the UDP
// scan's time too; a host whose port scan probed UDP waits udp_scan_gap longer (docs/nmap-behaviour.md 4.1).
TEST(OsScan, APortScanWithUdpDelaysSeq1ByTheUdpScanGap) {
  ASSERT_GT(config().udp_scan_gap, Duration::zero());
  for (const bool udp : {false, true}) {
    OsScan scan(config(), always_perfect, 7);
    auto host = lab_host();
    host.udp_port_scanned = udp;
    scan.add_host(host, Instant{}, Timestamp{});
    const Instant first = Instant{} + config().discovery_gap + (udp ? config().udp_scan_gap : Duration::zero());
    for (Instant now = Instant{}; now < first; now += 5ms) {
      EXPECT_TRUE(scan.tick(now, Timestamp{}).empty()) << "udp " << udp << " at " << (now - Instant{}).count();
    }
    const auto packets = scan.tick(first, Timestamp{});
    ASSERT_EQ(packets.size(), 1U) << "udp " << udp;
    EXPECT_EQ(packets[0].probe, probes::ProbeId::SEQ1);
  }
}

// --scan-delay reaches the first SEQ probe too: Nmap holds it at least the delay after the port
// scan's last reply, as after any probe (docs/nmap-behaviour.md 4.12).
TEST(OsScan, AScanDelayHoldsSeq1AtLeastTheDelayAfterThePortScan) {
  for (const Duration delay : {Duration{50ms}, Duration{400ms}}) {
    OsScanConfig c = config();
    apply_scan_delay(c, delay);
    OsScan scan(c, always_perfect, 7);
    scan.add_host(lab_host(), Instant{}, Timestamp{});
    const Instant first = Instant{} + std::max(delay, config().discovery_gap);
    for (Instant now = Instant{}; now < first; now += 5ms) {
      EXPECT_TRUE(scan.tick(now, Timestamp{}).empty())
          << "delay " << delay.count() << " at " << (now - Instant{}).count();
    }
    const auto packets = scan.tick(first, Timestamp{});
    ASSERT_EQ(packets.size(), 1U) << "delay " << delay.count();
    EXPECT_EQ(packets[0].probe, probes::ProbeId::SEQ1);
  }
}

} // namespace
} // namespace stackprint::engine
