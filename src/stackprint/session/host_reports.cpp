#include "stackprint/session/host_reports.hpp"

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <utility>

#include "stackprint/responses/run_fingerprint.hpp"

namespace stackprint::session {
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

std::optional<int> first_ttl(std::initializer_list<const std::optional<responses::Reply>*> replies) {
  for (const auto* r : replies) {
    if (r != nullptr && r->has_value()) { return (*r)->packet.ip.ttl; }
  }
  return std::nullopt;
}

// The port table Nmap printed before OS detection, as far as the capture shows it.
std::vector<output::PortLine> recorded_ports(const responses::RecordedRun& run, const output::ServiceNames& services) {
  std::vector<output::PortLine> ports;
  const auto& r0 = run.rounds.front().replies;
  if (run.closed_tcp_port && run.closed_tcp_port_known) {
    ports.push_back({output::Protocol::tcp, *run.closed_tcp_port, output::PortState::closed, "", "reset",
                     first_ttl({&r0.t[4], &r0.t[5], &r0.t[6]})});
  }
  if (run.open_tcp_port) {
    ports.push_back({output::Protocol::tcp, *run.open_tcp_port, output::PortState::open, "", "syn-ack",
                     first_ttl({&r0.seq[0], &r0.seq[1], &r0.seq[2], &r0.seq[3], &r0.seq[4], &r0.seq[5]})});
  }
  // The UDP rows are the ports the UDP scan probed, not where U1 went: with no closed UDP port
  // found, Nmap sends U1 to a random port that the port table never shows.
  for (const std::uint16_t port : run.scanned_udp_ports) {
    if (run.closed_udp_port_known && run.closed_udp_port == port) {
      ports.push_back(
          {output::Protocol::udp, port, output::PortState::closed, "", "port-unreach", first_ttl({&r0.u1})});
    } else {
      // Shown as Nmap shows a silent port. Limitation: a port that answered with UDP ("open
      // udp-response") or another ICMP unreachable ("filtered") is not told apart here; no
      // recording has one.
      ports.push_back({output::Protocol::udp, port, output::PortState::open_filtered, "", "no-response", std::nullopt});
    }
  }
  std::sort(ports.begin(), ports.end(), [](const output::PortLine& a, const output::PortLine& b) {
    return a.protocol != b.protocol ? a.protocol < b.protocol : a.port < b.port;
  });
  for (auto& p : ports) { p.service = services.lookup(p.protocol, p.port); }
  return ports;
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

output::HostReport skipped_host_report(const HostContext& context, const output::ServiceNames& services,
                                       std::int64_t now_s) {
  output::HostReport report = down_host_report(context, now_s);
  report.up = true;
  report.status_reason = "syn-ack";
  report.ports = port_lines(context.discovery, services);
  return report;
}

output::HostReport os_host_report(const HostContext& context, const engine::HostOsScan& host, scoring::Matcher& matcher,
                                  bool partial_match, const output::ServiceNames& services, std::int64_t now_s) {
  const engine::HostTarget& target = host.target();
  responses::RunFacts facts = host.run_facts();
  facts.closed_tcp_ports_filtered = discovery::closed_tcp_ports_filtered(context.discovery.ports);
  facts.udp_port_scan = context.udp_port_scan;
  if (context.direct && context.discovery.link_source) { facts.direct_target_mac = context.discovery.link_source; }

  output::OsHostFacts host_facts;
  host_facts.address = target.address;
  host_facts.mac = facts.direct_target_mac;
  host_facts.status_reason = host_facts.mac ? "arp-response" : (target.open_tcp_port ? "syn-ack" : "reset");
  if (context.discovery.srtt) { host_facts.latency_s = std::chrono::duration<double>(*context.discovery.srtt).count(); }
  host_facts.ports = port_lines(context.discovery, services);
  host_facts.start_s = context.start_s;
  host_facts.end_s = now_s;
  host_facts.run = responses::fingerprint_run(host.round_inputs(), facts);
  for (const auto& round : host.rounds()) { host_facts.round_replies.push_back(round.replies); }
  return output::build_os_host_report(std::move(host_facts), matcher, partial_match);
}

output::HostReport recorded_host_report(const responses::RecordedRun& run, const responses::RunFingerprint& fingerprint,
                                        scoring::Matcher& matcher, bool partial_match,
                                        const output::ServiceNames& services, std::int64_t start_s,
                                        std::int64_t end_s) {
  output::OsHostFacts facts;
  facts.address = run.target_address;
  facts.mac = fingerprint.scan.mac_prefix ? run.target_mac : std::nullopt;
  facts.ports = recorded_ports(run, services);
  facts.start_s = start_s;
  facts.end_s = end_s;
  facts.run = fingerprint;
  for (const auto& round : run.rounds) { facts.round_replies.push_back(round.replies); }
  return output::build_os_host_report(std::move(facts), matcher, partial_match);
}

} // namespace stackprint::session
