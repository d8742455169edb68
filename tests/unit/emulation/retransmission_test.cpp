// SYN/ACK retransmission of the emulator: the per-family models, the bounded queue told the time,
// and the Responder resending its SYN/ACK with the same ISN, options and window and a fresh TSval.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/emulation/retransmission.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/wire/tcp_segment.hpp"
#include "support/installed_db.hpp"

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

const Timestamp t0{std::chrono::seconds{1000}};

database::Reference reference_of(std::vector<std::pair<std::string, std::string>> vendor_family) {
  database::Reference r;
  r.name = "test";
  for (auto& [vendor, family] : vendor_family) {
    database::OsClass c;
    c.vendor = vendor;
    c.family = family;
    c.device_type = "general purpose";
    r.classes.push_back(c);
  }
  return r;
}

wire::Ipv4Packet syn_ack(std::uint16_t peer_port, std::uint16_t local_port = 80, std::uint32_t isn = 1234) {
  wire::Ipv4Packet p;
  p.ip.source = 0x0AD20001U;
  p.ip.destination = 0x0A000001U;
  p.ip.protocol = wire::k_ip_protocol_tcp;
  wire::TcpSegment seg;
  seg.source_port = local_port;
  seg.destination_port = peer_port;
  seg.flags = wire::k_tcp_syn | wire::k_tcp_ack;
  seg.sequence = isn;
  seg.window = 29200;
  p.payload = seg;
  return p;
}

// The SYN/ACK that answers the peer's SYN with sequence number 5000 (the repeats below send it again).
wire::Ipv4Packet answering_syn_5000(std::uint16_t peer_port, std::uint16_t local_port, std::uint32_t isn) {
  wire::Ipv4Packet p = syn_ack(peer_port, local_port, isn);
  p.tcp()->acknowledgment = 5001;
  return p;
}

std::vector<Timestamp> send_times(RetransmissionQueue& q, Timestamp until) {
  std::vector<Timestamp> out;
  for (int guard = 0; guard < 100; ++guard) {
    const auto next = q.next_due();
    if (!next || *next > until) break;
    const auto copies = q.take_due(*next);
    EXPECT_LE(copies.size(), 1U);
    if (!copies.empty()) out.push_back(*next);
  }
  return out;
}

TEST(RetransmissionModel, FollowsTheReferencesFamily) {
  EXPECT_EQ(retransmission_family(reference_of({{"Linux", "Linux"}})), RetransmissionFamily::linux_kernel);
  EXPECT_EQ(retransmission_family(reference_of({{"Netgear", "embedded"}, {"Linux", "Linux"}})),
            RetransmissionFamily::linux_kernel);
  EXPECT_EQ(retransmission_family(reference_of({{"Google", "Android"}})), RetransmissionFamily::linux_kernel);
  EXPECT_EQ(retransmission_family(reference_of({{"Microsoft", "Windows"}})), RetransmissionFamily::windows);
  EXPECT_EQ(retransmission_family(reference_of({{"FreeBSD", "FreeBSD"}})), RetransmissionFamily::other);
  EXPECT_EQ(retransmission_family(reference_of({})), RetransmissionFamily::other);
  EXPECT_EQ(retransmission_family(reference_of({{"lwIP", "lwIP"}})), RetransmissionFamily::lwip);
  EXPECT_EQ(retransmission_family(reference_of({{"Philips", "embedded"}, {"lwIP", "lwIP"}})),
            RetransmissionFamily::lwip);
  EXPECT_EQ(retransmission_family(reference_of({{"lwIP", "lwIP"}, {"Linux", "Linux"}})),
            RetransmissionFamily::linux_kernel);
  EXPECT_EQ(retransmission_model(RetransmissionFamily::linux_kernel), (RetransmissionModel{1s, 5, 500ms, true, true}));
  EXPECT_EQ(retransmission_model(RetransmissionFamily::windows), (RetransmissionModel{3s, 2}));
  EXPECT_EQ(retransmission_model(RetransmissionFamily::lwip),
            (RetransmissionModel{3s, 12, 0s, false, false, true, 20s, 500ms}));
  EXPECT_EQ(retransmission_model(RetransmissionFamily::other), (RetransmissionModel{3s, 3}));
  EXPECT_EQ(to_string(RetransmissionFamily::lwip), "lwip");
}

// The lwIP references of the installed nmap-os-db (Class lwIP | lwIP ...) follow the lwIP model.
TEST(RetransmissionModel, InstalledLwipReferencesAreLwip) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  std::size_t lwip = 0;
  for (const auto& reference : db->references()) {
    const bool names_lwip = std::any_of(reference.classes.begin(), reference.classes.end(),
                                        [](const database::OsClass& c) { return c.vendor == "lwIP"; });
    if (!names_lwip) continue;
    ++lwip;
    EXPECT_EQ(retransmission_family(reference), RetransmissionFamily::lwip) << reference.name;
  }
  EXPECT_GE(lwip, 2U);
}

TEST(RetransmissionQueue, LinuxResendsAfterOneSecondDoublingFiveTimes) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::linux_kernel));
  q.add(syn_ack(40000), t0, std::nullopt);
  EXPECT_TRUE(q.take_due(t0 + 999ms).empty());
  const auto times = send_times(q, t0 + 1h);
  const std::vector<Timestamp> want{t0 + 1s, t0 + 3s, t0 + 7s, t0 + 15s, t0 + 31s};
  EXPECT_EQ(times, want);
  EXPECT_FALSE(q.next_due().has_value()) << "forgotten 32 s after the last copy";
  EXPECT_EQ(q.stats().retransmitted, 5U);
  EXPECT_EQ(q.stats().exhausted, 1U);
  EXPECT_EQ(q.pending(), 0U);
}

TEST(RetransmissionQueue, WindowsAndOthers) {
  RetransmissionQueue windows(retransmission_model(RetransmissionFamily::windows));
  windows.add(syn_ack(40000), t0, std::nullopt);
  EXPECT_EQ(send_times(windows, t0 + 1h), (std::vector<Timestamp>{t0 + 3s, t0 + 9s}));
  RetransmissionQueue other(retransmission_model(RetransmissionFamily::other));
  other.add(syn_ack(40000), t0, std::nullopt);
  EXPECT_EQ(send_times(other, t0 + 1h), (std::vector<Timestamp>{t0 + 3s, t0 + 9s, t0 + 21s}));
}

// lwIP 2.1.3, measured (docs/emulator-timing.md "lwIP"): with its timer started by this connection
// (first tick 250 ms after it), copies 2.75 s and 8.75 s after the SYN/ACK; the next one (20.75 s)
// would come after the tick (20.25 s) that finds the connection silent for more than 20 s.
TEST(RetransmissionQueue, LwipResendsAt3And9SecondsAndForgetsAfter20) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::lwip));
  q.add(syn_ack(40000), t0, std::nullopt);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 2750ms});
  EXPECT_EQ(send_times(q, t0 + 1h), (std::vector<Timestamp>{t0 + 2750ms, t0 + 8750ms}));
  EXPECT_EQ(q.pending(), 0U);
  EXPECT_EQ(q.stats().retransmitted, 2U);
  EXPECT_EQ(q.stats().expired, 1U);
  EXPECT_EQ(q.stats().exhausted, 0U);
}

// Measured: a repeat is answered at once however soon it comes, leaves the timer where it is, and
// doubles the wait after the next copy (SYNs at 0 and 0.2 s: copies at 2.75 and 14.75 s, not 2.75 and
// 8.75 s).
TEST(RetransmissionQueue, LwipRepeatsCountAsRetries) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::lwip));
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 6510);
  q.add(original, t0, std::nullopt);
  const auto again = q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 200ms);
  ASSERT_EQ(again.outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(again.syn_ack->packet, original);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 2750ms}) << "the timer is not restarted";
  EXPECT_EQ(send_times(q, t0 + 1h), (std::vector<Timestamp>{t0 + 2750ms, t0 + 14750ms}));
  EXPECT_EQ(q.pending(), 0U) << "forgotten 20 s after the repeat";
  EXPECT_EQ(q.stats().expired, 1U);

  // SYNs at 0, 0.2, 0.5 and 1.5 s: all answered, then one copy at 2.75 s and none before the
  // connection is forgotten on the tick at 21.75 s.
  RetransmissionQueue four(retransmission_model(RetransmissionFamily::lwip));
  four.add(original, t0, std::nullopt);
  for (const auto at : {200ms, 500ms, 1500ms}) {
    EXPECT_EQ(four.repeat(0x0A000001U, 40000, 22, 5000, t0 + at).outcome, RepeatedSyn::Outcome::answered);
  }
  EXPECT_EQ(four.next_due(), std::optional<Timestamp>{t0 + 2750ms});
  EXPECT_EQ(send_times(four, t0 + 1h), (std::vector<Timestamp>{t0 + 2750ms}));
  EXPECT_EQ(four.next_due(), std::nullopt);
  EXPECT_EQ(four.stats().repeated, 3U);
  EXPECT_EQ(four.stats().repeat_held, 0U);
  EXPECT_EQ(four.stats().expired, 1U);
}

// Measured: a SYN again at 19.6 s keeps the connection (same ISN) and lets the 20.75 s copy out; one
// at 20.9 s (no SYN for 20 s) finds it forgotten and opens a new connection.
TEST(RetransmissionQueue, LwipForgetsTwentySecondsAfterThePeersLastSyn) {
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 6510);
  RetransmissionQueue kept(retransmission_model(RetransmissionFamily::lwip));
  kept.add(original, t0, std::nullopt);
  EXPECT_EQ(send_times(kept, t0 + 19s), (std::vector<Timestamp>{t0 + 2750ms, t0 + 8750ms}));
  EXPECT_EQ(kept.next_due(), std::optional<Timestamp>{t0 + 20250ms}) << "the tick that would forget it";
  EXPECT_EQ(kept.repeat(0x0A000001U, 40000, 22, 5000, t0 + 19600ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(kept.next_due(), std::optional<Timestamp>{t0 + 20750ms});
  EXPECT_EQ(send_times(kept, t0 + 1h), (std::vector<Timestamp>{t0 + 20750ms}));
  EXPECT_EQ(kept.pending(), 0U);

  RetransmissionQueue gone(retransmission_model(RetransmissionFamily::lwip));
  gone.add(original, t0, std::nullopt);
  EXPECT_EQ(send_times(gone, t0 + 19s).size(), 2U);
  EXPECT_EQ(gone.repeat(0x0A000001U, 40000, 22, 5000, t0 + 20900ms).outcome, RepeatedSyn::Outcome::not_pending)
      << "not yet taken out by take_due, but forgotten all the same";
  EXPECT_EQ(gone.pending(), 0U);
  EXPECT_EQ(gone.stats().expired, 1U);
}

// lwIP runs one timer per host, while any connection is pending and until its next call after the last
// one goes: a connection that comes while it runs keeps its phase; after it stopped, the next one
// starts it afresh, its first tick a half tick or a whole tick away (lwIP counts its calls on, and
// every second call is a tick).
TEST(RetransmissionQueue, LwipTimerKeepsItsPhaseWhileItRuns) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::lwip));
  q.add(syn_ack(40000), t0, std::nullopt); // the timer starts: ticks at 0.25 + k * 0.5 s
  EXPECT_TRUE(q.stop(0x0A000001U, 40000, 80, t0 + 1ms));
  q.add(syn_ack(40001), t0 + 100ms, std::nullopt); // before the call at 0.25 s: still running
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 2750ms}) << "the sixth tick after 0.1 s";
  EXPECT_TRUE(q.stop(0x0A000001U, 40001, 80, t0 + 200ms));
  // The call at 0.25 s was a tick and found nothing: stopped. Restarted at 1 s, its first call
  // (1.25 s) is not a tick, its second (1.5 s) is: ticks at 1.5 + k * 0.5 s, the sixth at 4 s.
  q.add(syn_ack(40002), t0 + 1s, std::nullopt);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 4s});
  EXPECT_TRUE(q.stop(0x0A000001U, 40002, 80, t0 + 1100ms));
  // Emptied at 1.1 s: the call at 1.25 s (not a tick) stops it. Restarted at 3 s: a tick at 3.25 s.
  q.add(syn_ack(40003), t0 + 3s, std::nullopt);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 5750ms});
  EXPECT_EQ(send_times(q, t0 + 6s), (std::vector<Timestamp>{t0 + 5750ms}));
}

// lwIP checks its retry limit on every tick: a repeat that uses the last retry ends the connection on
// the next tick, and the last copy's connection goes on the tick after it.
TEST(RetransmissionQueue, LwipDropsAConnectionOnTheTickAfterItsLastRetry) {
  RetransmissionModel model = retransmission_model(RetransmissionFamily::lwip);
  model.retries = 2;
  RetransmissionQueue q(model);
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 6510);
  q.add(original, t0, std::nullopt);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 100ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 600ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 750ms});
  EXPECT_TRUE(q.take_due(t0 + 750ms).empty());
  EXPECT_EQ(q.pending(), 0U);
  EXPECT_EQ(q.stats().exhausted, 1U);

  RetransmissionQueue one(model);
  one.add(original, t0, std::nullopt);
  EXPECT_EQ(one.repeat(0x0A000001U, 40000, 22, 5000, t0 + 100ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(send_times(one, t0 + 2750ms), (std::vector<Timestamp>{t0 + 2750ms})) << "the last retry";
  EXPECT_EQ(one.pending(), 1U);
  EXPECT_EQ(one.repeat(0x0A000001U, 40000, 22, 5000, t0 + 3s).outcome, RepeatedSyn::Outcome::answered)
      << "still there until the next tick";
  EXPECT_TRUE(one.take_due(t0 + 3250ms).empty());
  EXPECT_EQ(one.pending(), 0U);
  EXPECT_EQ(one.stats().exhausted, 1U);
}

// Repeats use up the retries: with 2 retries, two answered repeats leave no copy for the timer.
TEST(RetransmissionQueue, RepeatsCountingAsRetriesUseThemUp) {
  RetransmissionQueue q(RetransmissionModel{3s, 2, 0s, false, false, true, 20s});
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 6510);
  q.add(original, t0, std::nullopt);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 100ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 200ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_TRUE(q.take_due(t0 + 3s).empty());
  EXPECT_EQ(q.pending(), 0U);
  EXPECT_EQ(q.stats().exhausted, 1U);
  EXPECT_EQ(q.stats().retransmitted, 0U);
}

TEST(RetransmissionQueue, CopiesAreTheOriginalAndLateTicksRearmFromNow) {
  RetransmissionQueue q(RetransmissionModel{1s, 3});
  q.add(syn_ack(40000, 22, 0xDEADBEEFU), t0, 6);
  const auto copies = q.take_due(t0 + 2500ms); // a late tick: one copy, the next wait counted from now
  ASSERT_EQ(copies.size(), 1U);
  EXPECT_EQ(copies[0].retry, 1);
  EXPECT_EQ(copies[0].timestamp_offset, std::optional<std::size_t>{6});
  EXPECT_EQ(copies[0].packet, syn_ack(40000, 22, 0xDEADBEEFU));
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 4500ms});
}

TEST(RetransmissionQueue, ThePeersAnswerStopsIt) {
  RetransmissionQueue q(RetransmissionModel{1s, 5});
  q.add(syn_ack(40000), t0, std::nullopt);
  q.add(syn_ack(40001), t0 + 10ms, std::nullopt);
  EXPECT_FALSE(q.stop(0x0A000001U, 40000, 81, t0)); // another local port
  EXPECT_FALSE(q.stop(0x0A000002U, 40000, 80, t0)); // another peer
  EXPECT_TRUE(q.stop(0x0A000001U, 40000, 80, t0));
  EXPECT_FALSE(q.stop(0x0A000001U, 40000, 80, t0));
  EXPECT_EQ(q.pending(), 1U);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 1010ms});
  EXPECT_EQ(q.stats().stopped, 1U);
}

TEST(RetransmissionQueue, BoundedOldestDroppedAndCounted) {
  RetransmissionQueue q(RetransmissionModel{1s, 5}, 4);
  for (std::uint16_t port = 1; port <= 6; ++port) q.add(syn_ack(port), t0 + std::chrono::milliseconds{port}, {});
  EXPECT_EQ(q.pending(), 4U);
  EXPECT_EQ(q.stats().evicted, 2U);
  EXPECT_FALSE(q.stop(0x0A000001U, 1, 80, t0));
  EXPECT_FALSE(q.stop(0x0A000001U, 2, 80, t0));
  EXPECT_TRUE(q.stop(0x0A000001U, 3, 80, t0));
  // The same connection again takes the old one's place.
  q.add(syn_ack(6, 80, 99), t0 + 1s, std::nullopt);
  EXPECT_EQ(q.pending(), 3U);
  EXPECT_EQ(q.stats().replaced, 1U);
  // Anything but a TCP SYN/ACK is ignored.
  auto rst = syn_ack(7);
  rst.tcp()->flags = wire::k_tcp_rst | wire::k_tcp_ack;
  q.add(rst, t0, std::nullopt);
  q.add(wire::Ipv4Packet{}, t0, std::nullopt);
  EXPECT_EQ(q.pending(), 3U);
  EXPECT_EQ(q.stats().scheduled, 7U);
}

TEST(RetransmissionQueue, TheSameSynAgainGetsThePendingSynAckAgain) {
  RetransmissionQueue q(RetransmissionModel{1s, 5});
  const wire::Ipv4Packet original = answering_syn_5000(40000, 80, 777);
  q.add(original, t0, std::nullopt);
  using Outcome = RepeatedSyn::Outcome;
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 80, 4999, t0 + 200ms).outcome, Outcome::not_pending)
      << "another sequence number: a new attempt";
  EXPECT_EQ(q.repeat(0x0A000001U, 40001, 80, 5000, t0 + 200ms).outcome, Outcome::not_pending) << "other ports";
  const auto again = q.repeat(0x0A000001U, 40000, 80, 5000, t0 + 200ms);
  ASSERT_EQ(again.outcome, Outcome::answered);
  ASSERT_TRUE(again.syn_ack.has_value());
  EXPECT_EQ(again.syn_ack->packet, original);
  EXPECT_EQ(again.syn_ack->first_sent, t0);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 80, 5000, t0 + 300ms).outcome, Outcome::answered) << "no repeat_gap";
  EXPECT_EQ(q.stats().repeated, 2U);
  EXPECT_EQ(q.pending(), 1U);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 1s}) << "without repeat_restarts_timer the timer runs on";
}

// The Linux kernel, measured (docs/emulator-timing.md "The same SYN again"): SYNs again at 0.2 s and
// 1.5 s are both answered; the first restarts the 1 s timer (copy at 1.2 s), the second comes after
// that copy and restarts the 2 s wait (copy at 3.5 s), then the waits double from there.
TEST(RetransmissionQueue, LinuxRepeatsRestartTheTimer) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::linux_kernel));
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 777);
  q.add(original, t0, std::nullopt);
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 200ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 1200ms});
  EXPECT_EQ(send_times(q, t0 + 1400ms), (std::vector<Timestamp>{t0 + 1200ms}));
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 1500ms).outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(send_times(q, t0 + 1h), (std::vector<Timestamp>{t0 + 3500ms, t0 + 7500ms, t0 + 15500ms, t0 + 31500ms}));
  EXPECT_EQ(q.stats().retransmitted, 5U) << "answers to repeats do not count as retries";
  EXPECT_EQ(q.stats().repeated, 2U);
}

// Measured as well: a repeat less than 500 ms after the last answered one gets nothing and leaves
// the timer alone; the next one 500 ms or more after it is answered. Timer copies do not count.
TEST(RetransmissionQueue, LinuxHoldsBackRepeatsWithin500ms) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::linux_kernel));
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 777);
  q.add(original, t0, std::nullopt);
  using Outcome = RepeatedSyn::Outcome;
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 50ms).outcome, Outcome::answered)
      << "the first repeat, however soon after the original";
  const auto held = q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 549ms);
  EXPECT_EQ(held.outcome, Outcome::held_back);
  EXPECT_FALSE(held.syn_ack.has_value());
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 1050ms}) << "a held-back repeat leaves the timer";
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 550ms).outcome, Outcome::answered);
  EXPECT_EQ(send_times(q, t0 + 1600ms), (std::vector<Timestamp>{t0 + 1550ms}));
  EXPECT_EQ(q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 1600ms).outcome, Outcome::answered)
      << "50 ms after a timer copy: only answered repeats count";
  EXPECT_EQ(q.stats().repeated, 3U);
  EXPECT_EQ(q.stats().repeat_held, 1U);
}

// Measured: after its fifth copy (31 s) the kernel still holds the connection and answers a repeat
// at 40 s with the same ISN; the repeat restarts the 32 s wait, and then it is forgotten silently.
TEST(RetransmissionQueue, LinuxHoldsTheConnectionAfterTheLastCopy) {
  RetransmissionQueue q(retransmission_model(RetransmissionFamily::linux_kernel));
  const wire::Ipv4Packet original = answering_syn_5000(40000, 22, 777);
  q.add(original, t0, std::nullopt);
  EXPECT_EQ(send_times(q, t0 + 39s).size(), 5U);
  EXPECT_EQ(q.pending(), 1U);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 63s});
  const auto again = q.repeat(0x0A000001U, 40000, 22, 5000, t0 + 40s);
  ASSERT_EQ(again.outcome, RepeatedSyn::Outcome::answered);
  EXPECT_EQ(again.syn_ack->packet, original);
  EXPECT_EQ(q.next_due(), std::optional<Timestamp>{t0 + 72s});
  EXPECT_TRUE(q.take_due(t0 + 72s).empty());
  EXPECT_EQ(q.pending(), 0U);
  EXPECT_EQ(q.stats().retransmitted, 5U);
  EXPECT_EQ(q.stats().exhausted, 1U);
}

TEST(RetransmissionQueue, NoRetriesNothingPending) {
  RetransmissionQueue q(RetransmissionModel{1s, 0});
  q.add(syn_ack(40000), t0, std::nullopt);
  EXPECT_EQ(q.pending(), 0U);
  EXPECT_FALSE(q.next_due().has_value());
}

// The probe context of a scanner at 10.0.0.1 whose open port on `host` is 80.
probes::ProbeContext scanner_context(std::uint32_t host) {
  probes::ProbeContext ctx;
  ctx.source_address = 0x0A000001U;
  ctx.target_address = host;
  ctx.open_tcp_port = 80;
  ctx.tcp_port_base = 50000;
  return ctx;
}

// A reference (from the installed database) whose SEQ1 answer is a SYN/ACK with a running TSval
// at a rate between min_hz and max_hz.
std::optional<Personality> timestamping_personality(const database::OsDb& db, double min_hz = 2.0,
                                                    double max_hz = 1e6) {
  for (std::size_t i = 0; i < db.references().size(); ++i) {
    auto p = make_personality(db, i, 3);
    if (!p) continue;
    const auto& s = p->seq[0];
    if (s.responds && s.flags == (wire::k_tcp_syn | wire::k_tcp_ack) && s.options.timestamp_offset &&
        s.options.tsval_nonzero && p->timestamps.kind == TimestampKind::clock && p->timestamps.hz >= min_hz &&
        p->timestamps.hz <= max_hz) {
      return *p;
    }
  }
  return std::nullopt;
}

TEST(ResponderRetransmission, SameIsnOptionsAndWindowFreshTsvalUntilTheResetComes) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto p = timestamping_personality(*db);
  ASSERT_TRUE(p.has_value()) << "no reference answers SEQ1 with a timestamped SYN/ACK";
  constexpr std::uint32_t host = 0x0AD20001U;
  Responder r(*p, ResponderOptions{host, {80}, 3});
  r.enable_retransmission(RetransmissionModel{1s, 5});
  Responder once(*p, ResponderOptions{host, {80}, 3});
  probes::ProbeContext ctx = scanner_context(host);
  const auto probe = probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40});
  const auto replies = r.respond(probe, t0);
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies, once.respond(probe, t0)); // retransmission changes nothing in the first answer
  EXPECT_FALSE(once.next_wakeup().has_value());
  EXPECT_EQ(r.next_wakeup(), std::optional<Timestamp>{t0 + 1s});
  EXPECT_TRUE(r.on_tick(t0 + 500ms).empty());
  const auto copies = r.on_tick(t0 + 1s);
  ASSERT_EQ(copies.size(), 1U);
  const auto* first = replies[0].tcp();
  const auto* again = copies[0].tcp();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->sequence, first->sequence);
  EXPECT_EQ(again->acknowledgment, first->acknowledgment);
  EXPECT_EQ(again->window, first->window);
  EXPECT_EQ(again->flags, first->flags);
  EXPECT_EQ(again->source_port, first->source_port);
  EXPECT_EQ(again->destination_port, first->destination_port);
  EXPECT_EQ(copies[0].ip.destination, replies[0].ip.destination);
  ASSERT_EQ(again->options_raw.size(), first->options_raw.size());
  const std::size_t ts = *p->seq[0].options.timestamp_offset;
  const auto value_at = [&](const wire::TcpSegment& seg, std::size_t at) {
    return (std::uint32_t{seg.options_raw[at]} << 24U) | (std::uint32_t{seg.options_raw[at + 1]} << 16U) |
           (std::uint32_t{seg.options_raw[at + 2]} << 8U) | std::uint32_t{seg.options_raw[at + 3]};
  };
  for (std::size_t i = 0; i < first->options_raw.size(); ++i) {
    if (i >= ts + 2 && i < ts + 6) continue; // TSval
    EXPECT_EQ(again->options_raw[i], first->options_raw[i]) << "option byte " << i;
  }
  const std::uint32_t tsval_gap = value_at(*again, ts + 2) - value_at(*first, ts + 2);
  EXPECT_GE(tsval_gap, static_cast<std::uint32_t>(p->timestamps.hz * 0.5)) << "TSval not from the clock";
  EXPECT_LE(tsval_gap, static_cast<std::uint32_t>(p->timestamps.hz * 1.5 + 2));
  EXPECT_EQ(r.next_wakeup(), std::optional<Timestamp>{t0 + 3s});
  // The scanner's kernel resets the SYN/ACK: no more copies.
  wire::Ipv4Packet rst = probe;
  rst.tcp()->flags = wire::k_tcp_rst;
  rst.tcp()->sequence = first->acknowledgment;
  EXPECT_TRUE(r.respond(rst, t0 + 1100ms).empty());
  EXPECT_FALSE(r.next_wakeup().has_value());
  EXPECT_TRUE(r.on_tick(t0 + 1h).empty());
  EXPECT_EQ(r.retransmission_stats().retransmitted, 1U);
  EXPECT_EQ(r.retransmission_stats().stopped, 1U);
}

// TS rates like 2^33 Hz stand for a random TSval offset per connection; read as a clock, a copy
// exactly 3 s later would carry the very same TSval (3 * 2^33 is a multiple of 2^32).
TEST(ResponderRetransmission, PerConnectionTimestampsMoveOnAtAMillisecondClock) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto p = timestamping_personality(*db, 1e9, 1e12);
  ASSERT_TRUE(p.has_value()) << "no reference answers SEQ1 with a TSval at a rate no clock runs at";
  constexpr std::uint32_t host = 0x0AD20001U;
  Responder r(*p, ResponderOptions{host, {80}, 3});
  r.enable_retransmission(RetransmissionModel{3s, 3});
  probes::ProbeContext ctx = scanner_context(host);
  const auto replies = r.respond(probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40}), t0);
  ASSERT_EQ(replies.size(), 1U);
  const auto copies = r.on_tick(t0 + 3s);
  ASSERT_EQ(copies.size(), 1U);
  const std::size_t at = *p->seq[0].options.timestamp_offset + 2;
  const auto tsval = [at](const wire::Ipv4Packet& packet) {
    const auto& o = packet.tcp()->options_raw;
    return (std::uint32_t{o[at]} << 24U) | (std::uint32_t{o[at + 1]} << 16U) | (std::uint32_t{o[at + 2]} << 8U) |
           std::uint32_t{o[at + 3]};
  };
  EXPECT_EQ(tsval(copies[0]) - tsval(replies[0]), 3000U);
  const auto second = r.on_tick(t0 + 9s);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(tsval(second[0]) - tsval(replies[0]), 9000U);
}

// A real stack answers the SYN of a connection it holds half-open with the same SYN/ACK (same ISN).
TEST(ResponderRetransmission, RepeatedSynGetsTheSameIsn) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto p = timestamping_personality(*db);
  ASSERT_TRUE(p.has_value());
  constexpr std::uint32_t host = 0x0AD20001U;
  Responder r(*p, ResponderOptions{host, {80}, 3});
  r.enable_retransmission(RetransmissionModel{1s, 5});
  probes::ProbeContext ctx = scanner_context(host);
  const auto probe = probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40});
  const auto first = r.respond(probe, t0);
  const auto again = r.respond(probe, t0 + 600ms);
  ASSERT_EQ(first.size(), 1U);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].tcp()->sequence, first[0].tcp()->sequence);
  EXPECT_EQ(again[0].tcp()->acknowledgment, first[0].tcp()->acknowledgment);
  EXPECT_NE(again[0].tcp()->options_raw, first[0].tcp()->options_raw) << "a fresh TSval";
  EXPECT_EQ(r.retransmission_stats().repeated, 1U);
  EXPECT_EQ(r.retransmission_stats().scheduled, 1U);
  EXPECT_EQ(r.next_wakeup(), std::optional<Timestamp>{t0 + 1s});
}

// With the Linux model, a repeat within 500 ms of the last answered one gets no answer at all (not
// a new SYN/ACK with another ISN), and an answered one moves the next copy to 1 s after it.
TEST(ResponderRetransmission, LinuxRepeatedSynHeldBackThenRestartsTheTimer) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto p = timestamping_personality(*db);
  ASSERT_TRUE(p.has_value());
  constexpr std::uint32_t host = 0x0AD20001U;
  Responder r(*p, ResponderOptions{host, {80}, 3});
  r.enable_retransmission(retransmission_model(RetransmissionFamily::linux_kernel));
  probes::ProbeContext ctx = scanner_context(host);
  const auto probe = probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40});
  const auto first = r.respond(probe, t0);
  const auto again = r.respond(probe, t0 + 200ms);
  const auto held = r.respond(probe, t0 + 500ms);
  ASSERT_EQ(first.size(), 1U);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].tcp()->sequence, first[0].tcp()->sequence);
  EXPECT_TRUE(held.empty());
  EXPECT_EQ(r.next_wakeup(), std::optional<Timestamp>{t0 + 1200ms});
  const auto late = r.respond(probe, t0 + 700ms);
  ASSERT_EQ(late.size(), 1U);
  EXPECT_EQ(late[0].tcp()->sequence, first[0].tcp()->sequence);
  EXPECT_EQ(r.next_wakeup(), std::optional<Timestamp>{t0 + 1700ms});
  const auto stats = r.retransmission_stats();
  EXPECT_EQ(stats.repeated, 2U);
  EXPECT_EQ(stats.repeat_held, 1U);
  EXPECT_EQ(stats.scheduled, 1U);
}

TEST(ResponderRetransmission, NoCopiesForResetsOrClosedPorts) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto p = timestamping_personality(*db);
  ASSERT_TRUE(p.has_value());
  constexpr std::uint32_t host = 0x0AD20001U;
  Responder r(*p, ResponderOptions{host, {80}, 3});
  r.enable_retransmission(RetransmissionModel{1s, 5});
  probes::ProbeContext ctx = scanner_context(host);
  ctx.closed_tcp_port = 1;
  // A plain SYN to a closed port (a port scan) and T5-T7 on the closed port.
  auto scan_syn = probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40});
  scan_syn.tcp()->destination_port = 1;
  scan_syn.tcp()->options_raw.clear();
  (void)r.respond(scan_syn, t0);
  for (const auto id : {probes::ProbeId::T5, probes::ProbeId::T6, probes::ProbeId::T7}) {
    (void)r.respond(probes::build_probe(id, ctx, {1, 40}), t0);
  }
  EXPECT_FALSE(r.next_wakeup().has_value());
  EXPECT_EQ(r.retransmission_stats().scheduled, 0U);
}

} // namespace
} // namespace stackprint::emulation
