#include "stackprint/cli/scan_report.hpp"

#include <chrono>
#include <utility>

#include "stackprint/responses/run_fingerprint.hpp"

namespace stackprint::cli {
namespace {

output::PortState to_output(discovery::PortState state) {
  switch (state) {
  case discovery::PortState::open: return output::PortState::open;
  case discovery::PortState::closed: return output::PortState::closed;
  case discovery::PortState::filtered: return output::PortState::filtered;
  case discovery::PortState::unfiltered: return output::PortState::unfiltered;
  case discovery::PortState::open_filtered: return output::PortState::open_filtered;
  }
  return output::PortState::filtered;
}

// Nmap's reason words for an ICMP destination unreachable code (docs/nmap-behaviour.md 5.4).
const char* icmp_reason(std::uint8_t code) {
  switch (code) {
  case 0: return "net-unreach";
  case 1: return "host-unreach";
  case 2: return "proto-unreach";
  case 3: return "port-unreach";
  case 9: return "net-prohibited";
  case 10: return "host-prohibited";
  case 13: return "admin-prohibited";
  default: return "unknown-response";
  }
}

// Nmap's reason words for what a SYN scan and a UDP scan saw.
const char* reason_for(output::Protocol protocol, output::PortState state, const discovery::PortReply* reply) {
  if (reply != nullptr && reply->icmp_code) return icmp_reason(*reply->icmp_code);
  if (reply == nullptr && state != output::PortState::closed) return "no-response";
  switch (state) {
  case output::PortState::open: return protocol == output::Protocol::tcp ? "syn-ack" : "udp-response";
  case output::PortState::closed: return protocol == output::Protocol::tcp ? "reset" : "port-unreach";
  default: return "no-response";
  }
}

} // namespace

std::vector<output::PortLine> port_lines(const discovery::HostDiscovery& host, const output::ServiceNames& services) {
  std::vector<output::PortLine> lines;
  const auto add = [&](output::Protocol protocol, const std::map<std::uint16_t, discovery::PortState>& table) {
    for (const auto& [port, state] : table) {
      output::PortLine line;
      line.protocol = protocol;
      line.port = port;
      line.state = to_output(state);
      const auto& replies = protocol == output::Protocol::tcp ? host.tcp_replies : host.udp_replies;
      const auto reply = replies.find(port);
      const discovery::PortReply* answer = reply == replies.end() ? nullptr : &reply->second;
      line.reason = reason_for(protocol, line.state, answer);
      if (answer != nullptr) line.reason_ttl = answer->ttl;
      line.service = services.lookup(protocol, port);
      lines.push_back(line);
    }
  };
  add(output::Protocol::tcp, host.ports.tcp);
  add(output::Protocol::udp, host.ports.udp);
  return lines;
}

output::HostReport down_host_report(const HostContext& context, std::int64_t now_s) {
  return output::build_down_host_report(context.target.address.value, context.start_s, now_s);
}

output::HostReport os_host_report(const HostContext& context, const engine::HostOsScan& host, scoring::Matcher& matcher,
                                  bool partial_match, const output::ServiceNames& services, std::int64_t now_s) {
  const engine::HostTarget& target = host.target();
  responses::RunFacts facts;
  facts.target_address = target.address;
  facts.open_tcp_port = target.open_tcp_port;
  facts.closed_tcp_port = target.closed_tcp_port;
  facts.closed_udp_port = target.closed_udp_port;
  facts.closed_tcp_port_known = target.closed_tcp_known;
  facts.closed_udp_port_known = target.closed_udp_known;
  facts.closed_tcp_ports_filtered = discovery::closed_tcp_ports_filtered(context.discovery.ports);
  facts.udp_port_scan = context.udp_port_scan;
  if (context.direct && context.discovery.link_source) { facts.direct_target_mac = context.discovery.link_source; }
  if (!host.rounds().empty()) { facts.start = host.rounds().front().start; }
  std::vector<responses::RoundInput> rounds;
  for (const auto& round : host.rounds()) { rounds.push_back({&round.replies, &round.context}); }

  output::OsHostFacts host_facts;
  host_facts.address = target.address;
  host_facts.mac = facts.direct_target_mac;
  host_facts.status_reason = host_facts.mac ? "arp-response" : (target.open_tcp_port ? "syn-ack" : "reset");
  if (context.discovery.srtt) { host_facts.latency_s = std::chrono::duration<double>(*context.discovery.srtt).count(); }
  host_facts.ports = port_lines(context.discovery, services);
  host_facts.start_s = context.start_s;
  host_facts.end_s = now_s;
  host_facts.run = responses::fingerprint_run(rounds, facts);
  for (const auto& round : host.rounds()) { host_facts.round_replies.push_back(round.replies); }
  return output::build_os_host_report(std::move(host_facts), matcher, partial_match);
}

} // namespace stackprint::cli
