// OsScan against packets a hostile or spoofing network sends: forged answers that claim to come
// from another host in flight, IP fragments, bad header checksums, floods of unsolicited packets.
// Each case injects the bad packet *before* the honest answer, so a scanner that accepted it would
// keep it (first reply wins) and the final round would show it.

#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "fake_target.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using probes::ProbeId;

constexpr std::uint32_t k_us = 0x0A636401;
constexpr std::uint32_t k_host_a = 0x0A636402;
constexpr std::uint32_t k_host_b = 0x0A636403;

HostTarget host(std::uint32_t address) {
  HostTarget t;
  t.address = address;
  t.open_tcp_port = 80;
  t.closed_tcp_port = 22;
  t.closed_tcp_known = true;
  t.closed_udp_port = 40125;
  t.closed_udp_known = true;
  t.initial_timeout = 100ms;
  return t;
}

Timestamp wall(Instant at) {
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()));
}

// Source port of the latest probe of each kind to each host: (host, probe) -> port.
using ProbePorts = std::map<std::pair<std::uint32_t, ProbeId>, std::uint16_t>;

// Turns one honest reply into the bad packets under test (or nothing).
using Forger = std::function<std::vector<std::vector<std::uint8_t>>(
    const wire::Ipv4Packet& honest_reply, const OutgoingPacket& probe, const ProbePorts& ports)>;

// Runs two hosts to the end; each reply is preceded (1 us earlier) by what `forge` makes of it.
struct TwoHostRun {
  std::vector<HostOsScan> finished;
  std::uint64_t malformed = 0, fragments = 0, foreign = 0, cross_host = 0;
};

TwoHostRun run_two_hosts(const Forger& forge) {
  testing::FakeTarget a(k_host_a, 80);
  testing::FakeTarget b(k_host_b, 80);
  std::map<std::uint32_t, testing::FakeTarget*> targets{{k_host_a, &a}, {k_host_b, &b}};
  OsScanConfig config;
  config.source_address = k_us;
  OsScan scan(
      config, [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::no_perfect_match; }, 11);
  Instant now{};
  scan.add_host(host(k_host_a), now, wall(now));
  scan.add_host(host(k_host_b), now, wall(now));
  TwoHostRun run;
  std::vector<std::pair<Instant, std::vector<std::uint8_t>>> in_flight;
  const Instant end = now + 60s;
  ProbePorts ports;
  while (scan.hosts_in_flight() > 0 && now < end) {
    const auto packets = scan.tick(now, wall(now));
    for (const auto& packet : packets) {
      if (const auto parsed = wire::parse_ipv4(packet.bytes); parsed && parsed->tcp() != nullptr) {
        ports[{packet.destination, packet.probe}] = parsed->tcp()->source_port;
      }
    }
    for (const auto& packet : packets) {
      for (auto& reply : targets.at(packet.destination)->answer(packet.bytes)) {
        const auto parsed = wire::parse_ipv4(reply);
        if (parsed) {
          for (auto& bad : forge(*parsed, packet, ports)) { in_flight.emplace_back(now + 999us, std::move(bad)); }
        }
        in_flight.emplace_back(now + 1ms, std::move(reply));
      }
    }
    for (auto& h : scan.take_finished()) { run.finished.push_back(std::move(h)); }
    Instant next = scan.next_wakeup().value_or(now + 10ms);
    for (const auto& [at, bytes] : in_flight) { next = std::min(next, at); }
    now = std::max(next, now + 1us);
    std::stable_sort(in_flight.begin(), in_flight.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::pair<Instant, std::vector<std::uint8_t>>> later;
    for (auto& [at, bytes] : in_flight) {
      if (at <= now) {
        scan.on_frame(CapturedFrame{wall(at), bytes, std::nullopt}, now);
      } else {
        later.emplace_back(at, std::move(bytes));
      }
    }
    in_flight = std::move(later);
  }
  for (auto& h : scan.take_finished()) { run.finished.push_back(std::move(h)); }
  run.malformed = scan.malformed_frames();
  run.fragments = scan.fragment_frames();
  run.foreign = scan.foreign_frames();
  run.cross_host = scan.cross_host_frames();
  return run;
}

const HostOsScan& finished_host(const TwoHostRun& run, std::uint32_t address) {
  for (const auto& h : run.finished) {
    if (h.target().address == address) { return h; }
  }
  throw std::runtime_error("host did not finish");
}

// No TCP reply kept in the host's rounds is one of the forgeries: they all carry IP TTL 1 (the fake
// targets answer with 64), a field the scanner does not look at when it attributes a packet.
constexpr std::uint8_t k_forged_ttl = 1;

void expect_only_honest_tcp(const HostOsScan& h) {
  ASSERT_FALSE(h.rounds().empty());
  std::size_t kept = 0;
  for (const auto& round : h.rounds()) {
    const auto check = [&](const std::optional<responses::Reply>& reply) {
      if (!reply || reply->packet.tcp() == nullptr) { return; }
      ++kept;
      EXPECT_NE(reply->packet.ip.ttl, k_forged_ttl) << "a forged packet was credited to a probe";
    };
    for (const auto& r : round.replies.seq) check(r);
    for (const auto& r : round.replies.ops_win) check(r);
    for (const auto& r : round.replies.t) check(r);
    check(round.replies.ecn);
  }
  EXPECT_GT(kept, 10U);
}

// Lengths and checksums recomputed: the forgery is a well-formed packet.
std::vector<std::uint8_t> reserialized(const wire::Ipv4Packet& packet) { return wire::serialize(packet); }

TEST(HostileFrames, AnswerToOneHostsProbeForgedAsAnotherHostIsNotCreditedToIt) {
  // Worst case: host A's SYN/ACK re-sent with B's address as source and B's port window as
  // destination (so the port checks pass); it still acknowledges A's sequence numbers.
  // Worst case: each host's TCP answer re-sent with the other host's address as source and the
  // other host's probe port as destination, so every port check passes; it still names the first
  // host's probe: a SYN/ACK or RST/ACK acknowledges its sequence number, an RST to an ACK probe
  // carries its acknowledgment number as sequence. Both hosts are probed in the same ticks, so the forgery arrives
  // before the other host's own answer.
  const TwoHostRun run =
      run_two_hosts([](const wire::Ipv4Packet& honest, const OutgoingPacket& probe, const ProbePorts& ports) {
        std::vector<std::vector<std::uint8_t>> out;
        if (honest.tcp() == nullptr) { return out; }
        const std::uint32_t other = probe.destination == k_host_a ? k_host_b : k_host_a;
        const auto port = ports.find({other, probe.probe});
        if (port == ports.end()) { return out; }
        wire::Ipv4Packet forged = honest;
        forged.ip.source = other;
        forged.ip.ttl = k_forged_ttl;
        std::get<wire::TcpSegment>(forged.payload).destination_port = port->second;
        out.push_back(reserialized(forged));
        return out;
      });
  EXPECT_GT(run.cross_host, 10U);
  expect_only_honest_tcp(finished_host(run, k_host_b));
  expect_only_honest_tcp(finished_host(run, k_host_a));
}

TEST(HostileFrames, FragmentsAndBadHeaderChecksumsAreDroppedAndCounted) {
  const TwoHostRun run = run_two_hosts([](const wire::Ipv4Packet& honest, const OutgoingPacket&, const ProbePorts&) {
    std::vector<std::vector<std::uint8_t>> out;
    if (honest.tcp() == nullptr) { return out; }
    wire::Ipv4Packet first_fragment = honest;
    first_fragment.ip.more_fragments = true;
    first_fragment.ip.ttl = k_forged_ttl;
    out.push_back(reserialized(first_fragment));
    wire::Ipv4Packet bad_checksum = honest;
    bad_checksum.ip.ttl = k_forged_ttl;
    auto bytes = reserialized(bad_checksum);
    bytes[10] ^= 0x5A; // IP header checksum
    out.push_back(std::move(bytes));
    return out;
  });
  EXPECT_GT(run.fragments, 0U);
  EXPECT_GT(run.malformed, 0U);
  expect_only_honest_tcp(finished_host(run, k_host_a));
  expect_only_honest_tcp(finished_host(run, k_host_b));
}

TEST(HostileFrames, FloodFromAnotherPortOrAddressNeverFillsASlot) {
  // A flood that copies each answer's destination port (so it lands in the probe window) but comes
  // from the wrong source port, or from an address that is not scanned.
  const TwoHostRun run = run_two_hosts([](const wire::Ipv4Packet& honest, const OutgoingPacket&, const ProbePorts&) {
    std::vector<std::vector<std::uint8_t>> out;
    if (honest.tcp() == nullptr) { return out; }
    for (std::uint16_t k = 0; k < 8; ++k) {
      wire::Ipv4Packet flood = honest;
      auto& tcp = std::get<wire::TcpSegment>(flood.payload);
      flood.ip.ttl = k_forged_ttl;
      tcp.source_port = static_cast<std::uint16_t>(1000 + k);
      out.push_back(reserialized(flood));
    }
    wire::Ipv4Packet stranger = honest;
    stranger.ip.source = 0x0A6364F0;
    stranger.ip.ttl = k_forged_ttl;
    out.push_back(reserialized(stranger));
    return out;
  });
  EXPECT_GT(run.foreign, 0U);
  expect_only_honest_tcp(finished_host(run, k_host_a));
  expect_only_honest_tcp(finished_host(run, k_host_b));
}

} // namespace
} // namespace stackprint::engine
