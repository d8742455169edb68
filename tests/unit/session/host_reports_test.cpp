// The port table of a live scan: Nmap's REASON words and the TTL of the reply that settled each
// port (docs/nmap-behaviour.md 5.4).
#include "stackprint/session/host_reports.hpp"

#include <gtest/gtest.h>

namespace stackprint::session {
namespace {

using discovery::PortReply;
using discovery::PortState;

const output::PortLine& line_for(const std::vector<output::PortLine>& lines, output::Protocol protocol,
                                 std::uint16_t port) {
  for (const auto& line : lines) {
    if (line.protocol == protocol && line.port == port) return line;
  }
  throw std::runtime_error("no line for port " + std::to_string(port));
}

TEST(ScanReportPortLines, ReasonAndTtlOfTheReplyThatSettledEachPort) {
  discovery::HostDiscovery host;
  host.ports.tcp = {
      {22, PortState::closed}, {80, PortState::open}, {81, PortState::filtered}, {82, PortState::filtered}};
  host.ports.udp = {{53, PortState::open}, {161, PortState::closed}, {500, PortState::open_filtered}};
  host.tcp_replies = {{22, PortReply{64, std::nullopt}}, {80, PortReply{63, std::nullopt}}, {82, PortReply{250, 13}}};
  host.udp_replies = {{53, PortReply{128, std::nullopt}}, {161, PortReply{64, 3}}};
  const auto services = output::ServiceNames::parse("ssh\t22/tcp\n");
  const auto lines = port_lines(host, services);
  ASSERT_EQ(lines.size(), 7U);

  const auto expect = [&](output::Protocol protocol, std::uint16_t port, const char* reason, std::optional<int> ttl) {
    const auto& line = line_for(lines, protocol, port);
    EXPECT_EQ(line.reason, reason) << port;
    EXPECT_EQ(line.reason_ttl, ttl) << port;
  };
  expect(output::Protocol::tcp, 22, "reset", 64);
  expect(output::Protocol::tcp, 80, "syn-ack", 63);
  expect(output::Protocol::tcp, 81, "no-response", std::nullopt);
  expect(output::Protocol::tcp, 82, "admin-prohibited", 250);
  expect(output::Protocol::udp, 53, "udp-response", 128);
  expect(output::Protocol::udp, 161, "port-unreach", 64);
  expect(output::Protocol::udp, 500, "no-response", std::nullopt);
  EXPECT_EQ(line_for(lines, output::Protocol::tcp, 22).service, "ssh");
}

TEST(HostReports, DownAndSkippedHostsCarryTheirTimesAndPorts) {
  HostContext context;
  context.target.address = Ipv4Address{0x0A000007};
  context.start_s = 100;
  context.discovery.address = context.target.address;
  context.discovery.ports.tcp = {{80, PortState::filtered}, {443, PortState::open}};
  const output::HostReport down = down_host_report(context, 130);
  EXPECT_FALSE(down.up);
  EXPECT_EQ(down.address, 0x0A000007U);
  EXPECT_EQ(down.status_reason, "no-response");
  EXPECT_EQ(down.start_s, 100);
  EXPECT_EQ(down.end_s, 130);
  EXPECT_TRUE(down.ports.empty());

  const output::HostReport skipped = skipped_host_report(context, {}, 140);
  EXPECT_TRUE(skipped.up);
  EXPECT_FALSE(skipped.os_detection) << "--osscan-limit: no OS section";
  EXPECT_EQ(skipped.status_reason, "syn-ack");
  EXPECT_EQ(skipped.end_s, 140);
  ASSERT_EQ(skipped.ports.size(), 2U);
  EXPECT_EQ(skipped.ports[1].port, 443);
  EXPECT_EQ(skipped.ports[1].state, output::PortState::open);
}

} // namespace
} // namespace stackprint::session
