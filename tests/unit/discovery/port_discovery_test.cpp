#include "stackprint/discovery/port_discovery.hpp"

#include <random>

#include <gtest/gtest.h>

namespace stackprint::discovery {
namespace {

using namespace std::chrono_literals;

const Ipv4Address k_us = make_ipv4(10, 99, 50, 1);
const Ipv4Address k_host = make_ipv4(10, 99, 50, 2);
const Ipv4Address k_other = make_ipv4(10, 99, 50, 3);
constexpr std::uint16_t k_tcp_sport = 40123;
constexpr std::uint16_t k_udp_sport = 40200;

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}

std::vector<std::uint8_t> ip_header(Ipv4Address source, Ipv4Address destination, std::uint8_t protocol,
                                    std::size_t payload_length) {
  std::vector<std::uint8_t> b(20, 0);
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(20 + payload_length));
  b[8] = 64;
  b[9] = protocol;
  put32(b, 12, source.value);
  put32(b, 16, destination.value);
  return b;
}

std::vector<std::uint8_t> tcp_packet(Ipv4Address source, Ipv4Address destination, std::uint16_t sport,
                                     std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags) {
  auto b = ip_header(source, destination, 6, 20);
  b.resize(40, 0);
  put16(b, 20, sport);
  put16(b, 22, dport);
  put32(b, 24, seq);
  put32(b, 28, ack);
  b[32] = 0x50;
  b[33] = flags;
  return b;
}

std::vector<std::uint8_t> udp_packet(Ipv4Address source, Ipv4Address destination, std::uint16_t sport,
                                     std::uint16_t dport) {
  auto b = ip_header(source, destination, 17, 8);
  b.resize(28, 0);
  put16(b, 20, sport);
  put16(b, 22, dport);
  put16(b, 24, 8);
  return b;
}

// ICMP type 3 from `source`, quoting `quoted` (IP header + first 8 bytes are kept).
std::vector<std::uint8_t> icmp_unreachable(Ipv4Address source, Ipv4Address destination, std::uint8_t code,
                                           std::vector<std::uint8_t> quoted) {
  quoted.resize(std::min<std::size_t>(quoted.size(), 28));
  auto b = ip_header(source, destination, 1, 8 + quoted.size());
  b.push_back(3);
  b.push_back(code);
  b.resize(28, 0);
  b.insert(b.end(), quoted.begin(), quoted.end());
  return b;
}

CapturedFrame frame(std::vector<std::uint8_t> bytes) {
  return CapturedFrame{Timestamp{}, std::move(bytes), std::nullopt};
}

DiscoveryConfig config(std::vector<std::uint16_t> tcp, std::vector<std::uint16_t> udp = {}) {
  DiscoveryConfig c;
  c.ports.tcp = std::move(tcp);
  c.ports.udp = std::move(udp);
  c.source_address = k_us;
  c.tcp_source_port = k_tcp_sport;
  c.udp_source_port = k_udp_sport;
  c.sequence_secret = 0xC0FFEE11;
  c.random_tcp_draw = 5;
  c.random_udp_draw = 6;
  return c;
}

const Instant t0 = Instant{} + 1000s;

std::vector<SendTcpSyn> syns(const std::vector<DiscoveryAction>& actions) {
  std::vector<SendTcpSyn> out;
  for (const auto& a : actions) {
    if (const auto* syn = std::get_if<SendTcpSyn>(&a)) { out.push_back(*syn); }
  }
  return out;
}

TEST(DiscoveryReply, ParsesAndRejects) {
  auto tcp = parse_discovery_reply(tcp_packet(k_host, k_us, 80, k_tcp_sport, 7, 8, 0x12));
  ASSERT_TRUE(tcp);
  const auto& t = std::get<TcpReply>(*tcp);
  EXPECT_EQ(t.source, k_host);
  EXPECT_EQ(t.source_port, 80);
  EXPECT_EQ(t.acknowledgment, 8U);
  EXPECT_EQ(t.flags, 0x12);
  auto truncated = tcp_packet(k_host, k_us, 80, k_tcp_sport, 7, 8, 0x12);
  truncated.resize(30);
  EXPECT_FALSE(parse_discovery_reply(truncated)) << "total length says 40 bytes";
  auto fragment = tcp_packet(k_host, k_us, 80, k_tcp_sport, 7, 8, 0x12);
  fragment[6] = 0x20; // MF
  EXPECT_FALSE(parse_discovery_reply(fragment));
  EXPECT_FALSE(parse_discovery_reply(std::vector<std::uint8_t>{0x45, 0}));
  auto echo = ip_header(k_host, k_us, 1, 8);
  echo.resize(28, 0); // type 0: echo reply
  EXPECT_FALSE(parse_discovery_reply(echo));
  auto quote_cut = icmp_unreachable(k_host, k_us, 3, udp_packet(k_us, k_host, k_udp_sport, 53));
  quote_cut.resize(quote_cut.size() - 6);
  put16(quote_cut, 2, static_cast<std::uint32_t>(quote_cut.size()));
  EXPECT_FALSE(parse_discovery_reply(quote_cut)) << "quote without ports";
  auto icmp = parse_discovery_reply(icmp_unreachable(k_host, k_us, 3, udp_packet(k_us, k_host, k_udp_sport, 53)));
  ASSERT_TRUE(icmp);
  const auto& i = std::get<IcmpUnreachable>(*icmp);
  EXPECT_EQ(i.quoted_protocol, 17);
  EXPECT_EQ(i.quoted_destination, k_host);
  EXPECT_EQ(i.quoted_source_port, k_udp_sport);
  EXPECT_EQ(i.quoted_destination_port, 53);
}

TEST(PortDiscovery, SendsSynsAndClassifiesAnswers) {
  PortDiscovery discovery(config({22, 80, 113, 443}), {k_host});
  const auto sent = syns(discovery.on_tick(t0));
  ASSERT_EQ(sent.size(), 4U);
  for (const SendTcpSyn& syn : sent) {
    EXPECT_EQ(syn.destination, k_host);
    EXPECT_EQ(syn.source_port, k_tcp_sport);
    EXPECT_EQ(syn.sequence, discovery.sequence_for(k_host, syn.destination_port));
    EXPECT_NE(syn.ip_id, 0);
  }
  EXPECT_NE(sent[0].sequence, sent[1].sequence);
  EXPECT_TRUE(discovery.on_tick(t0 + 1ms).empty()) << "nothing new to send";

  const auto seq = [&](std::uint16_t port) { return discovery.sequence_for(k_host, port); };
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, seq(80) + 1, 0x12)), t0 + 2ms);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 113, k_tcp_sport, 0, seq(113) + 1, 0x14)), t0 + 2ms);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 443, k_tcp_sport, 1, seq(443) + 1, 0x12)), t0 + 3ms);
  EXPECT_FALSE(discovery.finished());
  // Port 22 never answers: one retransmission after the timeout, then filtered.
  const Instant first_timeout = t0 + discovery.hosts()[0].timeout;
  EXPECT_EQ(discovery.next_wakeup(), first_timeout);
  const auto retry = syns(discovery.on_tick(first_timeout));
  ASSERT_EQ(retry.size(), 1U);
  EXPECT_EQ(retry[0].destination_port, 22);
  EXPECT_EQ(retry[0].sequence, seq(22));
  EXPECT_NE(retry[0].ip_id, sent[0].ip_id);
  EXPECT_TRUE(discovery.on_tick(first_timeout + discovery.hosts()[0].timeout).empty());
  ASSERT_TRUE(discovery.finished());
  EXPECT_FALSE(discovery.next_wakeup());

  const HostDiscovery& host = discovery.hosts()[0];
  EXPECT_EQ(host.status, HostStatus::up);
  EXPECT_EQ(host.ports.tcp.at(22), PortState::filtered);
  EXPECT_EQ(host.ports.tcp.at(80), PortState::open);
  EXPECT_EQ(host.ports.tcp.at(113), PortState::closed);
  EXPECT_EQ(host.ports.tcp.at(443), PortState::open);
  EXPECT_EQ(host.selected.open_tcp, 80);
  EXPECT_EQ(host.selected.closed_tcp, 113);
  EXPECT_TRUE(host.selected.closed_tcp_known);
  EXPECT_EQ(host.selected.closed_udp, random_fallback_port(6));
  EXPECT_FALSE(host.selected.closed_udp_known);
  EXPECT_EQ(discovery.probes_sent(), 5U);
  EXPECT_EQ(host.replies, 3U);
  // The reply that settled each answered TCP port, for the REASON column.
  EXPECT_EQ(host.tcp_replies.at(80), (PortReply{64, std::nullopt}));
  EXPECT_EQ(host.tcp_replies.at(113), (PortReply{64, std::nullopt}));
  EXPECT_EQ(host.tcp_replies.count(22), 0U) << "filtered: no reply";
  EXPECT_TRUE(host.udp_replies.empty());
}

// Stacks differ in what their SYN/ACK acknowledges (Nmap's A test: S+, S, O, Z); the ports tie the
// answer to the probe, so an unexpected ack still means "open" (emulated references with A=O showed
// ports as filtered before).
TEST(PortDiscovery, AcceptsAnAnswerWhateverItAcknowledges) {
  PortDiscovery discovery(config({80}), {k_host});
  (void)discovery.on_tick(t0);
  const std::uint32_t good_ack = discovery.sequence_for(k_host, 80) + 1;
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, good_ack + 12345, 0x12)), t0);
  ASSERT_EQ(discovery.hosts()[0].ports.tcp.count(80), 1U);
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(80), PortState::open);
}

TEST(PortDiscovery, RejectsForgedAndStrayReplies) {
  PortDiscovery discovery(config({80}), {k_host});
  (void)discovery.on_tick(t0);
  const std::uint32_t good_ack = discovery.sequence_for(k_host, 80) + 1;
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport + 1, 1, good_ack, 0x12)), t0); // wrong port
  discovery.on_frame(frame(tcp_packet(k_other, k_us, 80, k_tcp_sport, 1, good_ack, 0x12)), t0);    // not a target
  discovery.on_frame(frame(tcp_packet(k_host, k_other, 80, k_tcp_sport, 1, good_ack, 0x12)), t0);  // not to us
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 81, k_tcp_sport, 1, good_ack, 0x12)), t0);     // unprobed port
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, good_ack, 0x10)), t0);     // bare ACK
  discovery.on_frame(frame({0x45, 0x00}), t0);                                                     // garbage
  EXPECT_EQ(discovery.ignored_frames(), 6U);
  EXPECT_TRUE(discovery.hosts()[0].ports.tcp.empty());
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, good_ack, 0x12)), t0 + 1ms);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, good_ack, 0x14)), t0 + 1ms); // late dup
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(80), PortState::open);
  EXPECT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.ignored_frames(), 7U);
}

TEST(PortDiscovery, AnswerAcknowledgingAnotherHostsSynIsIgnored) {
  // A hostile neighbour copies its own RST/ACK for port 80 under this host's address: it
  // acknowledges the SYN sent to the neighbour, not this host's, so it must not close this host's 80.
  PortDiscovery discovery(config({80}), {k_host, k_other});
  (void)discovery.on_tick(t0);
  const std::uint32_t neighbours_ack = discovery.sequence_for(k_other, 80) + 1;
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 0, neighbours_ack, 0x14)), t0);
  EXPECT_TRUE(discovery.hosts()[0].ports.tcp.empty());
  EXPECT_EQ(discovery.ignored_frames(), 1U);
  // This host's own answer (any ack that is not the neighbour's) still counts.
  const std::uint32_t own_ack = discovery.sequence_for(k_host, 80) + 1;
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, own_ack, 0x12)), t0 + 1ms);
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(80), PortState::open);
  discovery.on_frame(frame(tcp_packet(k_other, k_us, 80, k_tcp_sport, 1, own_ack + 777, 0x14)), t0 + 1ms);
  EXPECT_EQ(discovery.hosts()[1].ports.tcp.at(80), PortState::closed) << "an unrelated ack is not a forgery";
}

TEST(PortDiscovery, RstWithoutAckCountsAsClosed) {
  PortDiscovery discovery(config({7}), {k_host});
  (void)discovery.on_tick(t0);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 7, k_tcp_sport, 0, 0, 0x04)), t0 + 1ms);
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(7), PortState::closed);
}

TEST(PortDiscovery, SilentHostsAreDown) {
  DiscoveryConfig c = config({22, 80});
  c.max_tries = 3;
  PortDiscovery discovery(c, {k_host, k_other});
  EXPECT_EQ(syns(discovery.on_tick(t0)).size(), 4U);
  EXPECT_EQ(syns(discovery.on_tick(t0 + 1s)).size(), 4U);
  EXPECT_EQ(syns(discovery.on_tick(t0 + 2s)).size(), 4U);
  EXPECT_FALSE(discovery.finished());
  EXPECT_TRUE(discovery.on_tick(t0 + 3s).empty());
  ASSERT_TRUE(discovery.finished());
  for (const HostDiscovery& host : discovery.hosts()) {
    EXPECT_EQ(host.status, HostStatus::down);
    EXPECT_EQ(host.ports.tcp.at(22), PortState::filtered);
    EXPECT_FALSE(host.selected.open_tcp);
    EXPECT_FALSE(host.selected.closed_tcp_known);
  }
  EXPECT_EQ(discovery.probes_sent(), 12U);
}

// An ARP packet from a host proves it up (Nmap's ARP ping on a local Ethernet): a host whose
// every probe was lost is up, not down, and its few silent TCP ports get the loss tries. A host
// without ARP keeps max_tries and is down; ARP from an address not scanned changes nothing.
TEST(PortDiscovery, AnArpPacketMakesASilentHostUpWithLossTries) {
  DiscoveryConfig c = config({22, 23});
  c.initial_timeout = 200ms;
  PortDiscovery discovery(c, {k_host, k_other});
  ASSERT_EQ(syns(discovery.on_tick(t0)).size(), 4U);
  const std::array<std::uint8_t, 6> mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  CapturedFrame arp;
  arp.arp_sender = k_host.value;
  arp.link_source = mac;
  discovery.on_frame(arp, t0 + 1ms);
  CapturedFrame stranger = arp;
  stranger.arp_sender = make_ipv4(10, 99, 50, 77).value;
  discovery.on_frame(stranger, t0 + 1ms);
  Instant now = t0 + 10ms;
  for (; now <= t0 + 30s && !discovery.finished(); now += 10ms) { (void)discovery.on_tick(now); }
  ASSERT_TRUE(discovery.finished());
  const HostDiscovery& up = discovery.hosts()[0];
  EXPECT_EQ(up.status, HostStatus::up);
  EXPECT_TRUE(up.arp_answered);
  EXPECT_EQ(up.link_source, mac);
  EXPECT_EQ(up.replies, 0U);
  EXPECT_EQ(up.ports.tcp.at(22), PortState::filtered);
  EXPECT_FALSE(up.selected.open_tcp);
  EXPECT_EQ(discovery.hosts()[1].status, HostStatus::down);
  EXPECT_EQ(discovery.probes_sent(), 2U * c.arp_only_max_tries + 2U * c.max_tries);
  EXPECT_EQ(discovery.ignored_frames(), 0U) << "ARP answers no probe and is never counted as ignored";
  // Once a port of such a host answers a re-send, the host is lossy: its other silent port gets
  // loss_max_tries sends.
  PortDiscovery lossy(c, {k_host});
  ASSERT_EQ(syns(lossy.on_tick(t0)).size(), 2U);
  lossy.on_frame(arp, t0 + 1ms);
  ASSERT_EQ(syns(lossy.on_tick(t0 + 200ms)).size(), 2U);
  lossy.on_frame(frame(tcp_packet(k_host, k_us, 22, k_tcp_sport, 0, lossy.sequence_for(k_host, 22) + 1, 0x14)),
                 t0 + 201ms);
  for (Instant t = t0 + 210ms; t <= t0 + 30s && !lossy.finished(); t += 10ms) { (void)lossy.on_tick(t); }
  ASSERT_TRUE(lossy.finished());
  EXPECT_EQ(lossy.probes_sent(), 2U + static_cast<unsigned>(c.loss_max_tries));
  // ARP after a host is done changes nothing.
  PortDiscovery late(c, {k_host});
  for (Instant t = t0; t <= t0 + 5s && !late.finished(); t += 10ms) { (void)late.on_tick(t); }
  ASSERT_TRUE(late.finished());
  late.on_frame(arp, t0 + 6s);
  EXPECT_EQ(late.hosts()[0].status, HostStatus::down);
  EXPECT_EQ(late.probes_sent(), 4U);
}

TEST(PortDiscovery, IcmpFromRouterFiltersWithoutMakingTheHostUp) {
  PortDiscovery discovery(config({80}), {k_host});
  (void)discovery.on_tick(t0);
  const Ipv4Address router = make_ipv4(10, 99, 50, 254);
  auto probe = tcp_packet(k_us, k_host, k_tcp_sport, 80, discovery.sequence_for(k_host, 80), 0, 0x02);
  auto wrong_seq = tcp_packet(k_us, k_host, k_tcp_sport, 80, 12345, 0, 0x02);
  discovery.on_frame(frame(icmp_unreachable(router, k_us, 13, wrong_seq)), t0 + 1ms);
  EXPECT_FALSE(discovery.finished()) << "a quote with the wrong sequence is not ours";
  discovery.on_frame(frame(icmp_unreachable(router, k_us, 13, probe)), t0 + 1ms);
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(80), PortState::filtered);
  EXPECT_EQ(discovery.hosts()[0].status, HostStatus::down);
  EXPECT_EQ(discovery.hosts()[0].tcp_replies.at(80), (PortReply{64, std::uint8_t{13}}));
}

TEST(PortDiscovery, UdpPortsClosedOpenAndSilent) {
  PortDiscovery discovery(config({}, {53, 161, 500}), {k_host});
  const auto actions = discovery.on_tick(t0);
  ASSERT_EQ(actions.size(), 3U);
  const auto& first = std::get<SendUdpProbe>(actions[0]);
  EXPECT_EQ(first.source_port, k_udp_sport);
  EXPECT_EQ(first.destination_port, 53);
  auto unreachable = icmp_unreachable(k_host, k_us, 3, udp_packet(k_us, k_host, k_udp_sport, 161));
  unreachable[8] = 255; // the ICMP message's own TTL, not the quote's
  auto answer = udp_packet(k_host, k_us, 53, k_udp_sport);
  answer[8] = 128;
  discovery.on_frame(frame(unreachable), t0 + 1ms);
  discovery.on_frame(frame(answer), t0 + 1ms);
  (void)discovery.on_tick(t0 + 2s);
  (void)discovery.on_tick(t0 + 4s);
  ASSERT_TRUE(discovery.finished());
  const HostDiscovery& host = discovery.hosts()[0];
  EXPECT_EQ(host.status, HostStatus::up);
  EXPECT_EQ(host.ports.udp.at(53), PortState::open);
  EXPECT_EQ(host.ports.udp.at(161), PortState::closed);
  EXPECT_EQ(host.ports.udp.at(500), PortState::open_filtered);
  EXPECT_EQ(host.udp_replies.at(161), (PortReply{255, std::uint8_t{3}}));
  EXPECT_EQ(host.udp_replies.at(53), (PortReply{128, std::nullopt}));
  EXPECT_EQ(host.udp_replies.count(500), 0U);
  EXPECT_EQ(host.selected.closed_udp, 161);
  EXPECT_TRUE(host.selected.closed_udp_known);
  EXPECT_FALSE(host.selected.open_tcp);
  EXPECT_EQ(host.selected.closed_tcp, random_fallback_port(5));
}

TEST(PortDiscovery, PortUnreachableFromAnotherHostIsOnlyFiltered) {
  PortDiscovery discovery(config({}, {161}), {k_host});
  (void)discovery.on_tick(t0);
  discovery.on_frame(frame(icmp_unreachable(k_other, k_us, 3, udp_packet(k_us, k_host, k_udp_sport, 161))), t0);
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].ports.udp.at(161), PortState::filtered);
  EXPECT_EQ(discovery.hosts()[0].status, HostStatus::down);
}

TEST(PortDiscovery, RttAdaptsTheTimeout) {
  DiscoveryConfig c = config({1, 2, 3});
  c.max_outstanding_per_host = 1;
  PortDiscovery discovery(c, {k_host});
  EXPECT_EQ(discovery.hosts()[0].timeout, 1s);
  Instant now = t0;
  for (std::uint16_t port : {1, 2, 3}) {
    const auto sent = syns(discovery.on_tick(now));
    ASSERT_EQ(sent.size(), 1U) << "one probe in flight per host";
    EXPECT_EQ(sent[0].destination_port, port);
    now += 20ms;
    discovery.on_frame(
        frame(tcp_packet(k_host, k_us, port, k_tcp_sport, 0, discovery.sequence_for(k_host, port) + 1, 0x14)), now);
  }
  const HostDiscovery& host = discovery.hosts()[0];
  ASSERT_TRUE(host.srtt);
  EXPECT_EQ(*host.srtt, 20ms);
  EXPECT_EQ(host.timeout, c.min_timeout) << "20 ms + 4 * small variance is below the 100 ms floor";
  EXPECT_TRUE(discovery.finished());
}

TEST(PortDiscovery, OutstandingLimitsAndSendBudget) {
  DiscoveryConfig c = config({10, 11, 12, 13, 14});
  c.max_outstanding = 2;
  PortDiscovery discovery(c, {k_host});
  EXPECT_EQ(discovery.on_tick(t0, 1).size(), 1U) << "the rate limiter's budget allows one send";
  EXPECT_EQ(discovery.next_wakeup(), t0) << "more is due as soon as the budget allows";
  EXPECT_TRUE(discovery.on_tick(t0 + 4ms, 0).empty()) << "no budget, no send";
  EXPECT_EQ(discovery.on_tick(t0 + 5ms, 5).size(), 1U);
  EXPECT_TRUE(discovery.on_tick(t0 + 20ms).empty()) << "two in flight: the global limit";
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 10, k_tcp_sport, 0, discovery.sequence_for(k_host, 10) + 1, 0x14)),
                     t0 + 21ms);
  EXPECT_EQ(discovery.on_tick(t0 + 21ms).size(), 1U);
}

TEST(PortDiscovery, RoundRobinAcrossHosts) {
  PortDiscovery discovery(config({1, 2}), {k_host, k_other, k_host});
  EXPECT_EQ(discovery.hosts().size(), 2U) << "duplicates are probed once";
  const auto sent = syns(discovery.on_tick(t0));
  ASSERT_EQ(sent.size(), 4U);
  EXPECT_EQ(sent[0].destination, k_host);
  EXPECT_EQ(sent[1].destination, k_other);
  EXPECT_EQ(sent[2].destination, k_host);
  EXPECT_EQ(sent[3].destination, k_other);
}

TEST(PortDiscovery, HostSendGapSpacesOneHostsProbesButNotOtherHosts) {
  DiscoveryConfig c = config({22, 80, 443});
  c.host_send_gap = 400ms;
  PortDiscovery discovery(c, {k_host, k_other});
  const auto first = syns(discovery.on_tick(t0));
  ASSERT_EQ(first.size(), 2U) << "one probe per host, both at once";
  EXPECT_NE(first[0].destination, first[1].destination);
  EXPECT_EQ(discovery.next_wakeup(), t0 + 400ms);
  EXPECT_TRUE(discovery.on_tick(t0 + 399ms).empty()) << "each host's next probe waits for the gap";
  const auto second = syns(discovery.on_tick(t0 + 400ms));
  ASSERT_EQ(second.size(), 2U);
  EXPECT_NE(second[0].destination_port, first[0].destination_port);
  EXPECT_EQ(discovery.next_wakeup(), t0 + 800ms);
  EXPECT_EQ(syns(discovery.on_tick(t0 + 800ms)).size(), 2U);
  EXPECT_EQ(discovery.probes_sent(), 6U);
}

TEST(PortDiscovery, WithoutAHostSendGapAHostsProbesLeaveTogether) {
  PortDiscovery discovery(config({22, 80, 443}), {k_host});
  EXPECT_EQ(syns(discovery.on_tick(t0)).size(), 3U);
}

TEST(PortDiscovery, StopEarlyOnceOpenAndClosedAreKnown) {
  DiscoveryConfig c = config({21, 22, 23, 24, 25, 26});
  c.stop_early = true;
  c.max_outstanding_per_host = 2;
  PortDiscovery discovery(c, {k_host});
  const auto first = syns(discovery.on_tick(t0));
  ASSERT_EQ(first.size(), 2U);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 21, k_tcp_sport, 0, discovery.sequence_for(k_host, 21) + 1, 0x12)),
                     t0 + 1ms);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 22, k_tcp_sport, 0, discovery.sequence_for(k_host, 22) + 1, 0x14)),
                     t0 + 1ms);
  ASSERT_TRUE(discovery.finished());
  EXPECT_TRUE(discovery.on_tick(t0 + 2ms).empty());
  EXPECT_EQ(discovery.probes_sent(), 2U);
  EXPECT_EQ(discovery.hosts()[0].selected.open_tcp, 21);
  EXPECT_EQ(discovery.hosts()[0].selected.closed_tcp, 22);
}

TEST(PortDiscovery, NothingToProbeMeansDown) {
  PortDiscovery discovery(config({}), {k_host});
  EXPECT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].status, HostStatus::down);
  EXPECT_TRUE(discovery.on_tick(t0).empty());
}

TEST(PortDiscovery, LateAnswerSettlesAQueuedRetransmission) {
  DiscoveryConfig c = config({80, 81});
  c.max_outstanding = 1;
  PortDiscovery discovery(c, {k_host});
  ASSERT_EQ(syns(discovery.on_tick(t0)).size(), 1U); // 80
  // 80 times out; its retransmission is queued ahead of 81 and sent at once.
  const auto next = syns(discovery.on_tick(t0 + 1s));
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next[0].destination_port, 80);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 0, discovery.sequence_for(k_host, 80) + 1, 0x12)),
                     t0 + 1s + 1ms);
  EXPECT_FALSE(discovery.hosts()[0].srtt) << "an answer to a retransmitted probe is no RTT sample (Karn)";
  const auto last = syns(discovery.on_tick(t0 + 1s + 2ms));
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0].destination_port, 81);
}

// Ticks every 10 ms from `from` to `to`; the send times of SYNs to `port`.
std::vector<Instant> syn_times(PortDiscovery& discovery, std::uint16_t port, Instant from, Instant to) {
  std::vector<Instant> times;
  for (Instant now = from; now <= to; now += 10ms) {
    for (const SendTcpSyn& syn : syns(discovery.on_tick(now))) {
      if (syn.destination_port == port) { times.push_back(now); }
    }
  }
  return times;
}

// Under loss: one port answered only its second SYN, so the host loses packets; the other port
// gets up to loss_max_tries SYNs, from the third on at least late_resend_gap apart.
TEST(PortDiscovery, AnAnswerToAReSendGivesTcpProbesMoreTries) {
  DiscoveryConfig c = config({1, 2, 3, 4, 5, 22, 80, 443, 8080, 8443});
  c.initial_timeout = 200ms;
  PortDiscovery discovery(c, {k_host});
  ASSERT_EQ(syns(discovery.on_tick(t0)).size(), 10U);
  ASSERT_EQ(syns(discovery.on_tick(t0 + 200ms)).size(), 10U) << "every first SYN lost";
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 22, k_tcp_sport, 0, discovery.sequence_for(k_host, 22) + 1, 0x14)),
                     t0 + 201ms);
  const auto times = syn_times(discovery, 80, t0 + 210ms, t0 + 10s);
  ASSERT_EQ(times.size(), 8U) << "10 sends in all";
  EXPECT_GE(times[0] - (t0 + 200ms), c.late_resend_gap);
  for (std::size_t i = 1; i < times.size(); ++i) { EXPECT_GE(times[i] - times[i - 1], c.late_resend_gap); }
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].ports.tcp.at(80), PortState::filtered);
  EXPECT_EQ(discovery.probes_sent(), 2U + 9U * 10U);
}

// A host that answers but lacks an open (or closed) TCP port, with few silent ports: those are
// more likely lost than filtered, and get the loss tries; the silent port answering the 5th SYN
// becomes the open port.
TEST(PortDiscovery, FewSilentPortsOfAHostWithoutAnOpenPortGetMoreTries) {
  DiscoveryConfig c = config({22, 80});
  c.initial_timeout = 200ms;
  PortDiscovery discovery(c, {k_host});
  ASSERT_EQ(syns(discovery.on_tick(t0)).size(), 2U);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 22, k_tcp_sport, 0, discovery.sequence_for(k_host, 22) + 1, 0x14)),
                     t0 + 1ms);
  const auto times = syn_times(discovery, 80, t0 + 10ms, t0 + 2400ms);
  ASSERT_EQ(times.size(), 4U) << "sends 2 to 5 (the RTT-based timeout, then 600 ms apart)";
  EXPECT_EQ(times[0], t0 + 100ms);
  EXPECT_EQ(times[3], t0 + 1900ms);
  discovery.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, discovery.sequence_for(k_host, 80) + 1, 0x12)),
                     times.back() + 1ms);
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.hosts()[0].selected.open_tcp, 80);
}

// A default-deny filter leaves many ports silent: they keep max_tries, and UDP always does.
TEST(PortDiscovery, ManySilentPortsAndUdpKeepMaxTries) {
  std::vector<std::uint16_t> ports;
  for (std::uint16_t p = 1000; p < 1020; ++p) { ports.push_back(p); }
  DiscoveryConfig c = config(ports, {161});
  c.initial_timeout = 200ms;
  PortDiscovery discovery(c, {k_host});
  ASSERT_EQ(discovery.on_tick(t0).size(), 21U);
  discovery.on_frame(
      frame(tcp_packet(k_host, k_us, 1000, k_tcp_sport, 1, discovery.sequence_for(k_host, 1000) + 1, 0x12)), t0 + 1ms);
  for (Instant now = t0 + 10ms; now <= t0 + 5s && !discovery.finished(); now += 10ms) { (void)discovery.on_tick(now); }
  ASSERT_TRUE(discovery.finished());
  EXPECT_EQ(discovery.probes_sent(), 21U + 20U) << "one re-send each for 19 TCP ports and the UDP port";
  // UDP under shown loss: the UDP port stays at max_tries.
  PortDiscovery lossy(config({22, 80}, {161}), {k_host});
  ASSERT_EQ(lossy.on_tick(t0).size(), 3U);
  ASSERT_EQ(lossy.on_tick(t0 + 1s).size(), 3U);
  lossy.on_frame(frame(tcp_packet(k_host, k_us, 22, k_tcp_sport, 0, lossy.sequence_for(k_host, 22) + 1, 0x14)),
                 t0 + 1001ms);
  lossy.on_frame(frame(tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, lossy.sequence_for(k_host, 80) + 1, 0x12)),
                 t0 + 1001ms);
  EXPECT_TRUE(lossy.on_tick(t0 + 2s).empty()) << "UDP given up after 2 sends";
  EXPECT_TRUE(lossy.finished());
}

} // namespace
} // namespace stackprint::discovery

namespace stackprint::discovery {
namespace {

TEST(PortDiscovery, RandomAndMutatedFramesNeverCrash) {
  std::mt19937 rng(2024);
  PortDiscovery discovery(config({80, 81}, {53}), {k_host});
  (void)discovery.on_tick(t0);
  const std::uint32_t ack = discovery.sequence_for(k_host, 80) + 1;
  const std::vector<std::vector<std::uint8_t>> seeds = {
      tcp_packet(k_host, k_us, 80, k_tcp_sport, 1, ack, 0x12),
      udp_packet(k_host, k_us, 53, k_udp_sport),
      icmp_unreachable(k_host, k_us, 3, udp_packet(k_us, k_host, k_udp_sport, 53)),
  };
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int flips = 1 + i % 4;
    for (int f = 0; f < flips; ++f) {
      bytes[static_cast<std::size_t>(byte(rng)) % bytes.size()] = static_cast<std::uint8_t>(byte(rng));
    }
    if (i % 7 == 0) { bytes.resize(static_cast<std::size_t>(byte(rng)) % (bytes.size() + 1)); }
    discovery.on_frame(frame(bytes), t0 + 1ms);
  }
  // Mutations may have produced valid answers; whatever was recorded is for probed ports only.
  for (const auto& [port, state] : discovery.hosts()[0].ports.tcp) {
    EXPECT_TRUE(port == 80 || port == 81) << port;
    (void)state;
  }
  for (const auto& [port, state] : discovery.hosts()[0].ports.udp) {
    EXPECT_EQ(port, 53);
    (void)state;
  }
  EXPECT_GT(discovery.ignored_frames(), 15000U);
}

} // namespace
} // namespace stackprint::discovery
