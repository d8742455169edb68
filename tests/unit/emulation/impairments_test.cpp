// Argument parsing and decisions of the emulator's impairments and host selection.

#include <gtest/gtest.h>

#include <chrono>

#include "stackprint/emulation/host_plan.hpp"
#include "stackprint/emulation/impairments.hpp"
#include "stackprint/probes/probe_catalogue.hpp"

namespace stackprint::emulation {
namespace {

TEST(ImpairmentArguments, ParseAndReject) {
  EXPECT_DOUBLE_EQ(*parse_loss("0.1"), 0.1);
  EXPECT_DOUBLE_EQ(*parse_loss("30%"), 0.3);
  EXPECT_FALSE(parse_loss("1.5").has_value());
  EXPECT_FALSE(parse_loss("-1").has_value());
  EXPECT_FALSE(parse_loss("abc").has_value());
  const auto delay = parse_delay("20:5");
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(delay->first, 20000);
  EXPECT_EQ(delay->second, 5000);
  EXPECT_FALSE(parse_delay("x").has_value());
  EXPECT_DOUBLE_EQ(*parse_icmp_rate("2/s"), 2.0);
  EXPECT_FALSE(parse_icmp_rate("0/s").has_value());
  const auto filter = parse_probe_filter("T2-T7,U1,IE");
  ASSERT_TRUE(filter.has_value());
  EXPECT_EQ(filter->count(), 9U);
  EXPECT_TRUE(filter->test(static_cast<std::size_t>(probes::ProbeId::T5)));
  EXPECT_FALSE(filter->test(static_cast<std::size_t>(probes::ProbeId::T1)));
  EXPECT_EQ(parse_probe_filter("T2-7")->count(), 6U);
  EXPECT_FALSE(parse_probe_filter("T7-T2").has_value());
  EXPECT_FALSE(parse_probe_filter("T9").has_value());
  EXPECT_FALSE(parse_probe_filter("U1,,IE").has_value());
}

TEST(Impairer, FiltersLosesAndRateLimits) {
  ImpairmentSpec spec;
  spec.filtered = *parse_probe_filter("U1,IE");
  spec.icmp_per_second = 1.0;
  spec.delay_us = 1000;
  Impairer impairer(spec, 3);
  wire::Ipv4Packet udp;
  udp.payload = wire::UdpDatagram{};
  EXPECT_TRUE(impairer.filtered(udp, std::nullopt));
  wire::Ipv4Packet tcp;
  tcp.payload = wire::TcpSegment{};
  EXPECT_FALSE(impairer.filtered(tcp, probes::ProbeId::T2));
  // One ICMP reply per second: the second in the same instant is dropped, TCP is not limited.
  wire::Ipv4Packet icmp;
  icmp.payload = wire::IcmpMessage{};
  const Timestamp t{std::chrono::seconds{100}};
  const auto first = impairer.schedule(icmp, t);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first - t, std::chrono::microseconds{1000});
  EXPECT_FALSE(impairer.schedule(icmp, t).has_value());
  EXPECT_TRUE(impairer.schedule(tcp, t).has_value());
  EXPECT_TRUE(impairer.schedule(icmp, t + std::chrono::seconds{2}).has_value());
  EXPECT_EQ(impairer.rate_limited(), 1U);

  ImpairmentSpec lossy;
  lossy.loss = 0.3;
  Impairer l(lossy, 9);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += l.schedule(tcp, t).has_value() ? 1 : 0;
  EXPECT_GT(kept, 620);
  EXPECT_LT(kept, 780);
  EXPECT_EQ(l.lost(), static_cast<std::uint64_t>(1000 - kept));
}

TEST(Impairer, DefaultDenyPassesOnlyOpenTcpPortsAndIcmp) {
  ImpairmentSpec spec;
  spec.default_deny = true;
  spec.allowed_tcp_ports = {22, 80};
  const Impairer impairer(spec, 5);
  const auto tcp_to = [](std::uint16_t port) {
    wire::Ipv4Packet packet;
    wire::TcpSegment segment;
    segment.destination_port = port;
    packet.payload = segment;
    return packet;
  };
  // The port scan's SYN to a closed port is not an OS probe, and is dropped all the same.
  EXPECT_TRUE(impairer.filtered(tcp_to(443), std::nullopt));
  EXPECT_TRUE(impairer.filtered(tcp_to(31337), probes::ProbeId::T5));
  EXPECT_FALSE(impairer.filtered(tcp_to(22), std::nullopt));
  EXPECT_FALSE(impairer.filtered(tcp_to(80), probes::ProbeId::T2));
  wire::Ipv4Packet udp;
  udp.payload = wire::UdpDatagram{};
  EXPECT_TRUE(impairer.filtered(udp, std::nullopt));
  wire::Ipv4Packet icmp;
  wire::IcmpMessage echo;
  echo.type = wire::k_icmp_echo_request;
  icmp.payload = echo;
  EXPECT_FALSE(impairer.filtered(icmp, probes::ProbeId::IE1));

  ImpairmentSpec open_door; // without default deny the same ports pass
  open_door.allowed_tcp_ports = {22};
  EXPECT_FALSE(Impairer(open_door, 5).filtered(tcp_to(443), std::nullopt));
}

TEST(HostPlan, AddressesOfABlock) {
  const auto one = emulated_addresses("10.200.1.7");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one, std::vector<std::uint32_t>{0x0AC80107U});
  const auto block = emulated_addresses("10.200.1.0/24");
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->size(), 254U);
  EXPECT_EQ(block->front(), 0x0AC80101U);
  EXPECT_FALSE(emulated_addresses("10.200.1.1/24").has_value()); // host bits set
  EXPECT_FALSE(emulated_addresses("10.0.0.0/8").has_value());    // too big
  EXPECT_FALSE(emulated_addresses("10.200.1.0/x").has_value());
  EXPECT_FALSE(emulated_addresses("10.200.1").has_value());
}

} // namespace
} // namespace stackprint::emulation
