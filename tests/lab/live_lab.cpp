// Lab program for tests/lab/live_lab_test.sh (root only, inside namespaces the script creates).
//
//   live_lab listen ADDR PORT SECONDS      target side: a TCP listener, so PORT answers SYN/ACK
//   live_lab no-privilege                  run unprivileged: every privileged open must fail with
//                                          the one-line missing-privilege message
//   live_lab scan UP DOWN OPEN CLOSED UDP ARP_ONLY
//                                          scanner side: route lookup, raw sender + live capture,
//                                          privilege drop, then (1) SYNs to OPEN and CLOSED on UP,
//                                          expecting SYN/ACK and RST, checked also as they leave,
//                                          and (2) port discovery of UP, DOWN (a host that drops
//                                          everything, ARP too) and ARP_ONLY (drops every IP
//                                          packet but answers ARP: up, as Nmap's ARP ping says)
//                                          by a ScanSession with OS detection off, over
//                                          io::run_scan_session
// Exit status 0 when every check passed; each failed check prints one "FAIL:" line.
// Bounded: at most k_max_packets sent and k_max_seconds spent in the scan mode.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/discovery/probe_packet.hpp"
#include "stackprint/discovery/reply.hpp"
#include "stackprint/io/live_capture.hpp"
#include "stackprint/io/privileges.hpp"
#include "stackprint/io/raw_sender.hpp"
#include "stackprint/io/route.hpp"
#include "stackprint/io/scan_loop.hpp"
#include "stackprint/io/transport.hpp"
#include "stackprint/session/scan_session.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace {

using namespace std::chrono_literals;
using stackprint::Ipv4Address;

constexpr int k_max_packets = 200;
constexpr auto k_max_seconds = 12s;

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) { ++g_failures; }
}

Ipv4Address address_arg(const char* text) {
  auto parsed = stackprint::parse_ipv4_address(text);
  if (!parsed) {
    (void)std::fprintf(stderr, "live_lab: %s\n", parsed.error().message.c_str());
    std::exit(2);
  }
  return *parsed;
}

std::uint16_t port_arg(const char* text) { return static_cast<std::uint16_t>(std::stoul(text)); }

int listen_mode(Ipv4Address address, std::uint16_t port, int seconds) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(port);
  local.sin_addr.s_addr = htonl(address.value);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 || ::listen(fd, 16) != 0) {
    std::perror("live_lab listen");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  ::close(fd);
  return 0;
}

int no_privilege_mode() {
  const std::string expected = stackprint::io::k_missing_privilege_message;
  auto probe = stackprint::io::require_raw_privileges();
  check(!probe && probe.error().message == expected, "require_raw_privileges() refuses without privilege");
  auto sender = stackprint::io::RawIpv4Sender::open();
  check(!sender && sender.error().message == expected, "RawIpv4Sender::open() gives the one-line privilege error");
  auto capture = stackprint::io::LiveCapture::open("lo", "icmp");
  check(!capture && capture.error().message == expected, "LiveCapture::open() gives the one-line privilege error");
  if (!probe) { std::printf("message: %s\n", probe.error().message.c_str()); }
  return g_failures == 0 ? 0 : 1;
}

int scan_mode(Ipv4Address up, Ipv4Address down, std::uint16_t open_port, std::uint16_t closed_port,
              std::uint16_t udp_port, Ipv4Address arp_only) {
  namespace io = stackprint::io;
  namespace discovery = stackprint::discovery;
  namespace session = stackprint::session;
  namespace targets = stackprint::targets;
  namespace engine = stackprint::engine;
  namespace fingerprint = stackprint::fingerprint;
  using stackprint::Expected;
  const auto started = std::chrono::steady_clock::now();
  const auto hard_deadline = started + k_max_seconds;

  // 1. Route, then the privileged handles, then the drop: before any reply is parsed.
  auto route = io::lookup_route(up);
  if (!route) {
    std::printf("FAIL: route lookup: %s\n", route.error().message.c_str());
    return 1;
  }
  std::printf("route: %s via %s src %s\n", stackprint::to_string(up).c_str(), route->interface.c_str(),
              stackprint::to_string(route->source).c_str());
  check(!route->gateway && !route->loopback, "destination is on the directly connected lab segment");
  check(io::require_raw_privileges().has_value(), "raw privileges are present before the drop");
  const std::vector<Ipv4Address> hosts = {up, down};
  // The first "host group" is only UP; the filter is widened to both hosts after the drop.
  auto transport = io::LiveTransport::open(*route, std::span<const Ipv4Address>(hosts).first(1));
  if (!transport) {
    std::printf("FAIL: opening the transport: %s\n", transport.error().message.c_str());
    return 1;
  }
  // A second capture sees our own SYNs leave (Linux packet sockets also see outgoing frames), to
  // check what the kernel did to the header-included packets.
  auto outgoing = io::LiveCapture::open(route->interface, "src host " + stackprint::to_string(route->source) +
                                                              " and tcp[tcpflags] == tcp-syn");
  if (!outgoing) {
    std::printf("FAIL: opening the outgoing capture: %s\n", outgoing.error().message.c_str());
    return 1;
  }
  auto dropped = io::drop_privileges();
  check(dropped.has_value(), std::string("privileges dropped") + (dropped ? "" : ": " + dropped.error().message));
  const io::PrivilegeState state = io::current_privileges();
  check(!state.effective_root && !state.any_capability, "no root and no capability left after the drop");
  check(!io::require_raw_privileges(), "a new raw socket can no longer be opened");
  check(::getuid() != 0 && ::geteuid() != 0, "running as an unprivileged user");

  // 2. SYNs built by discovery::probe_packet (wire), sent through the raw sender, answers through the live capture.
  const Ipv4Address us = route->source;
  const std::uint16_t sport = 47001;
  struct Sent {
    std::uint16_t port;
    std::uint32_t seq;
  };
  const std::vector<Sent> sent = {
      {open_port, 0x11111111}, {closed_port, 0x22222222}, {open_port, 0x33333333}, {closed_port, 0x44444444}};
  int packets = 0;
  std::vector<std::vector<std::uint8_t>> sent_bytes;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    // Distinct source ports per SYN so the kernel's own RST to the SYN/ACK cannot collide.
    auto bytes = discovery::probe_packet(discovery::SendTcpSyn{up, static_cast<std::uint16_t>(sport + i), sent[i].port,
                                                               sent[i].seq, static_cast<std::uint16_t>(0x4200 + i)},
                                         us);
    sent_bytes.push_back(bytes);
    auto outcome = transport->send(bytes);
    ++packets;
    check(outcome && *outcome == io::SendOutcome::sent, "raw SYN " + std::to_string(i) + " sent");
  }
  std::vector<bool> answered(sent.size(), false);
  std::size_t syn_acks = 0;
  std::size_t rsts = 0;
  std::size_t foreign = 0;
  std::size_t arp_from_others = 0;
  bool ethernet_source = true;
  const auto exchange_deadline = std::min(hard_deadline, std::chrono::steady_clock::now() + 3s);
  while (std::find(answered.begin(), answered.end(), false) != answered.end() &&
         std::chrono::steady_clock::now() < exchange_deadline) {
    auto frames = transport->wait(exchange_deadline);
    if (!frames) {
      std::printf("FAIL: capture: %s\n", frames.error().message.c_str());
      return 1;
    }
    for (const auto& frame : *frames) {
      ethernet_source = ethernet_source && frame.link_source.has_value();
      if (frame.arp_sender) { // the kernel resolving UP for our first SYN
        if (*frame.arp_sender != up.value) { ++arp_from_others; }
        continue;
      }
      auto reply = discovery::parse_discovery_reply(frame.ip_packet);
      const auto* tcp = reply ? std::get_if<discovery::TcpReply>(&*reply) : nullptr;
      if (tcp == nullptr || tcp->source != up || tcp->destination != us) {
        ++foreign;
        continue;
      }
      const auto index = static_cast<std::size_t>(tcp->destination_port - sport);
      if (index >= sent.size() || answered[index] || tcp->acknowledgment != sent[index].seq + 1) {
        ++foreign;
        continue;
      }
      answered[index] = true;
      if (sent[index].port == open_port && tcp->flags == 0x12) {
        ++syn_acks;
      } else if (sent[index].port == closed_port && (tcp->flags & 0x04) != 0) {
        ++rsts;
      }
    }
  }
  check(syn_acks == 2,
        "SYN/ACK with ack = seq + 1 from the open port for both SYNs (got " + std::to_string(syn_acks) + ")");
  check(rsts == 2, "RST with ack = seq + 1 from the closed port for both SYNs (got " + std::to_string(rsts) + ")");
  check(foreign == 0, "the BPF filter let through nothing else (got " + std::to_string(foreign) + " other frames)");
  check(arp_from_others == 0,
        "any ARP the filter let through came from UP (got " + std::to_string(arp_from_others) + " from others)");
  check(ethernet_source, "frames carry the Ethernet source address (veth link)");
  auto own = outgoing->wait(std::chrono::steady_clock::now() + 200ms);
  std::size_t identical = 0;
  if (own) {
    for (const auto& frame : *own) {
      identical += static_cast<std::size_t>(std::count(sent_bytes.begin(), sent_bytes.end(), frame.ip_packet));
    }
  }
  check(own && own->size() == sent.size() && identical == sent.size(),
        "the SYNs left byte for byte as built (non-zero IP IDs and our checksums kept by the kernel)");
  const auto exchange_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::printf("raw exchange done after %lld ms\n", static_cast<long long>(exchange_ms));

  // 3. Port discovery through the same transport: UP is up with OPEN open, CLOSED closed and the
  //    UDP port closed; DOWN answers nothing.
  discovery::DiscoveryConfig config;
  config.ports.tcp = {closed_port, open_port, 9};
  std::sort(config.ports.tcp.begin(), config.ports.tcp.end());
  config.ports.udp = {udp_port};
  config.source_address = us;
  config.tcp_source_port = 47100;
  config.udp_source_port = 47200;
  config.sequence_secret = 0x5EC2E7;
  config.initial_timeout = 400ms;
  config.max_tries = 2;
  // The script's scanner namespace drops outgoing TCP to port 7 (nftables output hook): sendto()
  // fails with EPERM, which must be a per-packet "refused", not an error that ends the scan.
  auto firewalled = transport->send(discovery::probe_packet(discovery::SendTcpSyn{up, 47060, 7, 1, 0x4260}, us));
  ++packets;
  check(firewalled && *firewalled == io::SendOutcome::refused,
        "a packet dropped by a local firewall rule is refused (" + transport->sender().last_refusal() + ")");

  // After the drop, narrow the filter to DOWN only: UP's SYN/ACK must no longer get through.
  auto narrowed = transport->set_targets(us, std::span<const Ipv4Address>(hosts).last(1));
  // The second capture watches for that SYN/ACK, to show it did arrive.
  auto witness = outgoing->set_filter("src host " + stackprint::to_string(up) + " and tcp dst port 47050");
  check(witness.has_value(), "the witness capture's filter changed after the drop");
  check(narrowed.has_value(), "the capture filter can be changed after the privilege drop");
  auto probe =
      transport->send(discovery::probe_packet(discovery::SendTcpSyn{up, 47050, open_port, 0x55555555, 0x4250}, us));
  ++packets;
  check(probe.has_value(), "SYN sent under the narrowed filter");
  std::size_t leaked = 0;
  const auto quiet_until = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < quiet_until) {
    auto frames = transport->wait(quiet_until);
    leaked += frames ? frames->size() : 1;
  }
  check(leaked == 0, "the narrowed filter drops the other host's SYN/ACK (got " + std::to_string(leaked) + ")");
  auto witnessed = outgoing->wait(std::chrono::steady_clock::now() + 200ms);
  check(witnessed && witnessed->size() == 1, "while the witness capture saw that SYN/ACK arrive");
  const std::vector<Ipv4Address> discovered = {up, down, arp_only};
  auto refiltered = transport->set_targets(us, discovered, io::CaptureFilterOptions{true});
  check(refiltered.has_value(), "the filter widened again to all three hosts");
  check(!transport->capture().set_filter("not a filter ((").has_value(), "a bad filter is an error value");
  // Port discovery alone (OS detection off) through the scan session and the one scan loop.
  session::ScanSessionConfig session_config;
  session_config.discovery_ports = config.ports;
  session_config.source = us;
  session_config.os.source_address = us.value;
  session_config.os_detection = false;
  session_config.seed = config.sequence_secret;
  std::vector<targets::Target> queue = {targets::Target{arp_only, {}}, targets::Target{down, {}},
                                        targets::Target{up, {}}};
  session::ScanSession scan(
      session_config,
      [&queue]() -> std::optional<Expected<targets::Target>> {
        if (queue.empty()) { return std::nullopt; }
        const targets::Target next = queue.back();
        queue.pop_back();
        return Expected<targets::Target>(next);
      },
      [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::perfect_match; });
  std::map<std::uint32_t, discovery::HostDiscovery> results;
  io::ScanLoopLimits limits;
  limits.max_packets = static_cast<std::uint64_t>(k_max_packets - packets);
  limits.max_duration = hard_deadline - std::chrono::steady_clock::now();
  limits.on_turn = [&] {
    for (auto& event : scan.take_events()) {
      if (auto* skipped = std::get_if<session::HostSkipped>(&event)) {
        results[skipped->context.target.address.value] = skipped->context.discovery;
      } else if (auto* gone = std::get_if<session::HostDown>(&event)) {
        results[gone->context.target.address.value] = gone->context.discovery;
      }
    }
  };
  const io::SystemClock clock;
  auto run = io::run_scan_session(*transport, scan, clock, limits);
  if (!run) {
    std::printf("FAIL: port discovery: %s\n", run.error().message.c_str());
    return 1;
  }
  packets += static_cast<int>(run->packets_sent);
  check(scan.finished() && results.size() == 3, "port discovery finished within the time bound");
  const auto& result_up = results[up.value];
  const auto& result_down = results[down.value];
  check(result_up.status == discovery::HostStatus::up, "the listening host is up");
  check(result_up.selected.open_tcp == open_port, "its open TCP port is found");
  check(result_up.selected.closed_tcp == std::min<std::uint16_t>(closed_port, 9) && result_up.selected.closed_tcp_known,
        "its lowest closed TCP port is chosen and known");
  check(result_up.ports.udp.count(udp_port) != 0 && result_up.ports.udp.at(udp_port) == discovery::PortState::closed,
        "its UDP port is closed (ICMP port unreachable)");
  check(result_up.selected.closed_udp == udp_port && result_up.selected.closed_udp_known, "closed UDP port chosen");
  check(result_up.srtt.has_value(), "an RTT was measured");
  check(result_down.status == discovery::HostStatus::down, "the silent host is down");
  const auto& result_arp = results[arp_only.value];
  check(result_arp.status == discovery::HostStatus::up && result_arp.arp_answered && result_arp.replies == 0,
        "the host that answers only ARP is up");
  check(result_arp.link_source.has_value(), "its MAC comes from its ARP packet");
  check(result_arp.ports.tcp.count(open_port) != 0 &&
            result_arp.ports.tcp.at(open_port) == discovery::PortState::filtered,
        "its ports are filtered");
  check(result_down.ports.tcp.count(open_port) != 0 &&
            result_down.ports.tcp.at(open_port) == discovery::PortState::filtered,
        "the silent host's ports are filtered");
  // For the script's cross-check against Nmap's SCAN line (OT, CT, CU).
  std::printf("selected: OT=%u CT=%u CU=%u\n", static_cast<unsigned>(result_up.selected.open_tcp.value_or(0)),
              static_cast<unsigned>(result_up.selected.closed_tcp),
              static_cast<unsigned>(result_up.selected.closed_udp));
  auto stats = transport->capture().stats();
  check(stats && stats->dropped == 0, "the capture dropped nothing");
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::printf("packets sent: %d, discovery probes: %llu, ignored frames: %llu, elapsed: %lld ms\n", packets,
              static_cast<unsigned long long>(scan.totals().packets_sent),
              static_cast<unsigned long long>(scan.totals().discovery_ignored),
              static_cast<long long>(elapsed.count()));
  check(packets <= k_max_packets, "packet bound respected");
  return g_failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "listen" && argc == 5) {
    return listen_mode(address_arg(argv[2]), port_arg(argv[3]), std::stoi(argv[4]));
  }
  if (mode == "no-privilege" && argc == 2) { return no_privilege_mode(); }
  if (mode == "scan" && argc == 8) {
    return scan_mode(address_arg(argv[2]), address_arg(argv[3]), port_arg(argv[4]), port_arg(argv[5]),
                     port_arg(argv[6]), address_arg(argv[7]));
  }
  (void)std::fprintf(stderr,
                     "usage: live_lab listen ADDR PORT SECONDS | no-privilege | scan UP DOWN OPEN CLOSED UDP\n");
  return 2;
}
