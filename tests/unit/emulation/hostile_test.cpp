// The hostile emulator mode, and the scanner engine against it without a network: honest emulated
// hosts scanned next to a hostile one must give exactly the replies (hence fingerprints) they give
// with an honest neighbour, while the hostile packets are seen, counted and dropped.

#include "stackprint/emulation/hostile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/emulation/host_plan.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "support/installed_db.hpp"

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

TEST(HostileKinds, ParsesNamesAndAll) {
  const auto two = parse_hostile_kinds("flood,spoof");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->count(), 2U);
  EXPECT_TRUE(two->test(static_cast<std::size_t>(HostileKind::flood)));
  EXPECT_TRUE(two->test(static_cast<std::size_t>(HostileKind::spoof)));
  const auto all = parse_hostile_kinds("all");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->all());
  EXPECT_FALSE(parse_hostile_kinds("flood,bogus").has_value());
  EXPECT_FALSE(parse_hostile_kinds("").has_value());
  EXPECT_FALSE(parse_hostile_kinds("flood,").has_value());
}

TEST(HostileNeighbours, NearestOthersAtMostFour) {
  const std::vector<std::uint32_t> block{1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(hostile_neighbours(block, 3), (std::vector<std::uint32_t>{3, 5, 2, 6}));
  EXPECT_EQ(hostile_neighbours(block, 0), (std::vector<std::uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(hostile_neighbours(std::vector<std::uint32_t>{9}, 0), std::vector<std::uint32_t>{});
}

wire::Ipv4Packet syn_ack_answer() {
  wire::Ipv4Packet p;
  p.ip.source = 0x0ACC0002;
  p.ip.destination = 0x0ACC0001;
  p.ip.protocol = wire::k_ip_protocol_tcp;
  wire::TcpSegment tcp;
  tcp.source_port = 22;
  tcp.destination_port = 40000;
  tcp.sequence = 5;
  tcp.acknowledgment = 6;
  tcp.flags = wire::k_tcp_syn | wire::k_tcp_ack;
  tcp.window = 1024;
  tcp.set_options(std::vector<wire::TcpOption>{wire::TcpOption::mss(1460)});
  p.payload = tcp;
  return wire::with_computed_fields(p);
}

TEST(HostileHost, MalformedCopiesNeverParseAsTheAnswer) {
  HostileHost host(*parse_hostile_kinds("malformed"), 0x0ACC0002, {}, 1);
  wire::Ipv4Packet probe = syn_ack_answer(); // any packet from the scanner will do as "received"
  const auto honest = syn_ack_answer();
  const auto extra = host.around_answers(probe, {honest}, Timestamp{10s});
  ASSERT_GE(extra.size(), 10U);
  EXPECT_EQ(host.stats().malformed, extra.size());
  for (const auto& packet : extra) {
    EXPECT_LT(packet.due, Timestamp{10s}) << "bad copies go out before the answer";
    const auto parsed = wire::parse_ipv4(packet.bytes);
    const bool usable = parsed && wire::verify_ip_checksum(parsed->ip) && parsed->tcp() != nullptr &&
                        wire::verify_transport_checksum(*parsed);
    EXPECT_FALSE(usable) << "a malformed copy parsed as a valid TCP answer";
  }
}

TEST(HostileHost, EveryKindSendsSomethingAndStaysBounded) {
  const std::vector<std::uint32_t> neighbours{0x0ACC0003, 0x0ACC0004, 0x0ACC0005, 0x0ACC0006, 0x0ACC0007};
  HostileHost host(*parse_hostile_kinds("all"), 0x0ACC0002, neighbours, 1);
  const auto honest = syn_ack_answer();
  const auto extra = host.around_answers(syn_ack_answer(), {honest}, Timestamp{10s});
  const auto& s = host.stats();
  EXPECT_GT(s.malformed, 0U);
  EXPECT_EQ(s.options, 6U);
  EXPECT_EQ(s.duplicate, 2U);
  EXPECT_EQ(s.late, 2U);
  EXPECT_EQ(s.flood, 20U);
  EXPECT_EQ(s.fragments, 3U);
  EXPECT_EQ(s.spoof, 4U) << "at most four neighbours are claimed";
  EXPECT_EQ(extra.size(), s.total());
  EXPECT_LE(extra.size(), 64U);
  std::size_t late = 0;
  for (const auto& packet : extra) { late += packet.due >= Timestamp{11s} ? 1 : 0; }
  EXPECT_EQ(late, 2U);
  // A packet the host does not answer (the scanner kernel's RST to a flood packet) sets off nothing,
  // or floods would feed on each other.
  EXPECT_TRUE(host.around_answers(syn_ack_answer(), {}, Timestamp{12s}).empty());
}

// ---- In-memory scan of honest emulated hosts next to a hostile one -------------------------------

using test_support::installed_db;

constexpr std::uint32_t k_scanner = 0x0ACC0001;
const std::vector<std::uint32_t> k_block{0x0ACC0002, 0x0ACC0003, 0x0ACC0004, 0x0ACC0005};
constexpr std::size_t k_hostile_index = 1; // 10.204.0.3; its neighbours are the three others

Timestamp wall(engine::Instant at) {
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()));
}

struct ScanOutcome {
  // Every accepted reply of every round, per host, as bytes plus arrival time.
  std::map<std::uint32_t, std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>>> kept;
  std::uint64_t malformed = 0, fragments = 0, foreign = 0, cross_host = 0;
  std::uint64_t hostile_sent = 0;
};

ScanOutcome scan_block(const database::OsDb& db, std::optional<HostileKinds> hostile) {
  const auto refs = select_references(db, "random", k_block.size(), 5);
  EXPECT_TRUE(refs.has_value());
  std::map<std::uint32_t, Responder> responders;
  for (std::size_t i = 0; i < k_block.size(); ++i) {
    const std::uint64_t seed = mix_seed(5, std::uint64_t{k_block[i]});
    auto personality = make_personality(db, (*refs)[i], seed);
    EXPECT_TRUE(personality.has_value());
    responders.emplace(k_block[i], Responder(std::move(*personality), ResponderOptions{k_block[i], {22, 80}, seed}));
  }
  const auto neighbours = hostile_neighbours(k_block, k_hostile_index);
  std::optional<HostileHost> bad;
  if (hostile) { bad.emplace(*hostile, k_block[k_hostile_index], neighbours, 9); }
  engine::OsScanConfig config;
  config.source_address = k_scanner;
  engine::OsScan scan(
      config, [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::no_perfect_match; }, 77);
  engine::Instant now{};
  for (const std::uint32_t address : k_block) {
    engine::HostTarget target;
    target.address = address;
    target.open_tcp_port = 22;
    target.closed_tcp_port = 1;
    target.closed_tcp_known = true;
    target.closed_udp_port = 40125;
    target.closed_udp_known = true;
    target.initial_timeout = 100ms;
    scan.add_host(target, now, wall(now));
  }
  std::multimap<engine::Instant, std::vector<std::uint8_t>> in_flight;
  const auto deliver = [&](Timestamp due, std::vector<std::uint8_t> bytes) {
    // The network takes 1 ms; wall and monotonic clocks are the same here.
    in_flight.emplace(engine::Instant(std::chrono::duration_cast<engine::Duration>(due.time_since_epoch())) + 1ms,
                      std::move(bytes));
  };
  ScanOutcome outcome;
  const engine::Instant end = now + 120s;
  while (scan.hosts_in_flight() > 0 && now < end) {
    for (auto& packet : scan.tick(now, wall(now))) {
      const auto parsed = wire::parse_ipv4(packet.bytes);
      EXPECT_TRUE(parsed.has_value());
      Responder& target = responders.at(packet.destination);
      const auto answers = target.respond(*parsed, wall(now));
      if (bad && packet.destination == bad->address()) {
        for (auto& extra : bad->around_answers(*parsed, answers, wall(now))) {
          deliver(extra.due, std::move(extra.bytes));
        }
      } else if (bad && std::find(neighbours.begin(), neighbours.end(), packet.destination) != neighbours.end()) {
        Responder& spy = responders.at(bad->address());
        const auto own = spy.respond(bad->as_if_for_us(*parsed), wall(now));
        for (auto& extra : bad->overheard(*parsed, packet.bytes, own, wall(now))) {
          deliver(extra.due, std::move(extra.bytes));
        }
      }
      for (const auto& answer : answers) { deliver(wall(now), wire::serialize(answer)); }
    }
    for (auto& host : scan.take_finished()) {
      for (const auto& round : host.rounds()) {
        auto& kept = outcome.kept[host.target().address];
        const auto keep = [&](const std::optional<responses::Reply>& reply) {
          if (reply) kept.emplace_back(reply->time.time_since_epoch().count(), reply->bytes);
        };
        for (const auto& r : round.replies.seq) keep(r);
        for (const auto& r : round.replies.ops_win) keep(r);
        for (const auto& r : round.replies.t) keep(r);
        for (const auto& r : round.replies.echo) keep(r);
        keep(round.replies.ecn);
        keep(round.replies.u1);
      }
    }
    engine::Instant next = scan.next_wakeup().value_or(now + 10ms);
    if (!in_flight.empty()) next = std::min(next, in_flight.begin()->first);
    now = std::max(next, now + 1us);
    while (!in_flight.empty() && in_flight.begin()->first <= now) {
      const auto at = in_flight.begin()->first;
      scan.on_frame(CapturedFrame{wall(at), std::move(in_flight.begin()->second), std::nullopt}, now);
      in_flight.erase(in_flight.begin());
    }
  }
  EXPECT_EQ(scan.hosts_in_flight(), 0U);
  outcome.malformed = scan.malformed_frames();
  outcome.fragments = scan.fragment_frames();
  outcome.foreign = scan.foreign_frames();
  outcome.cross_host = scan.cross_host_frames();
  outcome.hostile_sent = bad ? bad->stats().total() : 0;
  return outcome;
}

TEST(HostileScan, HonestNeighboursKeepExactlyTheSameRepliesAndHostilePacketsAreCounted) {
  const auto* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const ScanOutcome calm = scan_block(*db, std::nullopt);
  const ScanOutcome stormy = scan_block(*db, *parse_hostile_kinds("all"));
  for (std::size_t i = 0; i < k_block.size(); ++i) {
    if (i == k_hostile_index) continue;
    const std::uint32_t address = k_block[i];
    ASSERT_EQ(calm.kept.count(address), 1U);
    ASSERT_EQ(stormy.kept.count(address), 1U);
    EXPECT_FALSE(calm.kept.at(address).empty());
    EXPECT_EQ(calm.kept.at(address), stormy.kept.at(address))
        << "host " << i << " was disturbed by its hostile neighbour";
  }
  EXPECT_EQ(calm.cross_host + calm.fragments + calm.malformed, 0U);
  EXPECT_GT(stormy.hostile_sent, 500U);
  EXPECT_GT(stormy.malformed, 0U);
  EXPECT_GT(stormy.fragments, 0U);
  EXPECT_GT(stormy.cross_host, 0U);
}

} // namespace
} // namespace stackprint::emulation
