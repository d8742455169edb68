// OsScan against packets a hostile or spoofing network sends: forged answers that claim to come
// from another host in flight, IP fragments, bad header checksums, floods of unsolicited packets.
// Each case injects the bad packet *before* the honest answer, so a scanner that accepted it would
// keep it (first reply wins) and the final round would show it.

#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using probes::ProbeId;
using testing::Simulation;

constexpr std::uint32_t k_host_a = testing::k_target;
constexpr std::uint32_t k_host_b = testing::k_target + 1;

// Source port of the latest probe of each kind to each host: (host, probe) -> port.
using ProbePorts = std::map<std::pair<std::uint32_t, ProbeId>, std::uint16_t>;

// Turns one honest reply into the bad packets under test (or nothing).
using Forger = std::function<std::vector<std::vector<std::uint8_t>>(
    const wire::Ipv4Packet& honest_reply, const OutgoingPacket& probe, const ProbePorts& ports)>;

// Two fake hosts scanned to the end; each reply is preceded (1 us earlier) by what `forge` makes
// of it, knowing the source ports of every probe sent so far (the other host's of the same tick too).
class HostileFrames : public ::testing::Test {
protected:
  const Simulation& run_two_hosts(const Forger& forge) {
    m_sim.scan.add_host(testing::lab_host(k_host_a), m_sim.now, Simulation::wall_clock(m_sim.now));
    m_sim.scan.add_host(testing::lab_host(k_host_b), m_sim.now, Simulation::wall_clock(m_sim.now));
    m_sim.on_send = [this](const OutgoingPacket& packet) {
      if (const auto parsed = wire::parse_ipv4(packet.bytes); parsed && parsed->tcp() != nullptr) {
        m_ports[{packet.destination, packet.probe}] = parsed->tcp()->source_port;
      }
    };
    m_sim.forge = [this, forge](const std::vector<std::uint8_t>& reply, const OutgoingPacket& probe) {
      const auto parsed = wire::parse_ipv4(reply);
      return parsed ? forge(*parsed, probe, m_ports) : std::vector<std::vector<std::uint8_t>>{};
    };
    m_sim.run();
    return m_sim;
  }

private:
  testing::FakeTarget m_host_a{k_host_a, 80};
  testing::FakeTarget m_host_b{k_host_b, 80};
  Simulation m_sim{OsScan(testing::config(), testing::never_perfect, 11),
                   {{k_host_a, &m_host_a}, {k_host_b, &m_host_b}}};
  ProbePorts m_ports;
};

// No TCP reply kept in the host's rounds is one of the forgeries: they all carry IP TTL 1 (the fake
// targets answer with 64), a field the scanner does not look at when it attributes a packet.
constexpr std::uint8_t k_forged_ttl = 1;

void expect_only_honest_tcp(const Simulation& sim, std::uint32_t address) {
  const HostOsScan* h = sim.finished_host(address);
  ASSERT_NE(h, nullptr) << "host did not finish";
  ASSERT_FALSE(h->rounds().empty());
  std::size_t kept = 0;
  for (const auto& round : h->rounds()) {
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

TEST_F(HostileFrames, AnswerToOneHostsProbeForgedAsAnotherHostIsNotCreditedToIt) {
  // Worst case: host A's SYN/ACK re-sent with B's address as source and B's port window as
  // destination (so the port checks pass); it still acknowledges A's sequence numbers.
  // Worst case: each host's TCP answer re-sent with the other host's address as source and the
  // other host's probe port as destination, so every port check passes; it still names the first
  // host's probe: a SYN/ACK or RST/ACK acknowledges its sequence number, an RST to an ACK probe
  // carries its acknowledgment number as sequence. Both hosts are probed in the same ticks, so the forgery arrives
  // before the other host's own answer.
  const Simulation& sim =
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
  EXPECT_GT(sim.scan.cross_host_frames(), 10U);
  expect_only_honest_tcp(sim, k_host_b);
  expect_only_honest_tcp(sim, k_host_a);
}

TEST_F(HostileFrames, FragmentsAndBadHeaderChecksumsAreDroppedAndCounted) {
  const Simulation& sim = run_two_hosts([](const wire::Ipv4Packet& honest, const OutgoingPacket&, const ProbePorts&) {
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
  EXPECT_GT(sim.scan.fragment_frames(), 0U);
  EXPECT_GT(sim.scan.malformed_frames(), 0U);
  expect_only_honest_tcp(sim, k_host_a);
  expect_only_honest_tcp(sim, k_host_b);
}

TEST_F(HostileFrames, FloodFromAnotherPortOrAddressNeverFillsASlot) {
  // A flood that copies each answer's destination port (so it lands in the probe window) but comes
  // from the wrong source port, or from an address that is not scanned.
  const Simulation& sim = run_two_hosts([](const wire::Ipv4Packet& honest, const OutgoingPacket&, const ProbePorts&) {
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
  EXPECT_GT(sim.scan.foreign_frames(), 0U);
  expect_only_honest_tcp(sim, k_host_a);
  expect_only_honest_tcp(sim, k_host_b);
}

} // namespace
} // namespace stackprint::engine
