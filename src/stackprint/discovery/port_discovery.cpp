#include "stackprint/discovery/port_discovery.hpp"

#include <algorithm>
#include <type_traits>

namespace stackprint::discovery {
namespace {

constexpr std::uint8_t k_tcp_syn = 0x02;
constexpr std::uint8_t k_tcp_rst = 0x04;
constexpr std::uint8_t k_tcp_ack = 0x10;
constexpr std::uint8_t k_protocol_tcp = 6;
constexpr std::uint8_t k_protocol_udp = 17;

// A 32-bit finaliser (xor-shift-multiply): spreads every input bit over the output, so sequence
// numbers and IDs of neighbouring ports look unrelated.
std::uint32_t mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352DU;
  x ^= x >> 15;
  x *= 0x846CA68BU;
  x ^= x >> 16;
  return x;
}

// ICMP unreachable codes that make a port "filtered": network/host/protocol/port unreachable and
// the administratively prohibited family.
bool is_filtering_code(std::uint8_t code) {
  return code == 0 || code == 1 || code == 2 || code == 3 || code == 9 || code == 10 || code == 13;
}

} // namespace

PortDiscovery::PortDiscovery(DiscoveryConfig config, const std::vector<Ipv4Address>& hosts)
    : m_config(std::move(config)) {
  m_config.max_tries = std::max(m_config.max_tries, 1);
  m_config.max_outstanding = std::max<std::size_t>(m_config.max_outstanding, 1);
  m_config.max_outstanding_per_host = std::max<std::size_t>(m_config.max_outstanding_per_host, 1);
  for (Ipv4Address address : hosts) {
    if (m_host_by_address.count(address.value) != 0) { continue; }
    const std::size_t index = m_hosts.size();
    m_host_by_address.emplace(address.value, index);
    HostDiscovery host;
    host.address = address;
    host.timeout = m_config.initial_timeout;
    m_hosts.push_back(std::move(host));
    HostQueue queue;
    for (std::uint16_t port : m_config.ports.tcp) {
      queue.pending.push_back(PendingProbe{ProbeKey{index, Protocol::tcp, port}, 0});
    }
    for (std::uint16_t port : m_config.ports.udp) {
      queue.pending.push_back(PendingProbe{ProbeKey{index, Protocol::udp, port}, 0});
    }
    m_queues.push_back(std::move(queue));
    ++m_probing;
    m_ready.push_back(index);
  }
  for (std::size_t i = 0; i < m_hosts.size(); ++i) {
    maybe_complete(i); // hosts with nothing to probe are down at once
  }
}

std::uint32_t PortDiscovery::sequence_for(Ipv4Address host, std::uint16_t port) const {
  return mix32(m_config.sequence_secret ^ mix32(host.value ^ (std::uint32_t{port} << 7)));
}

bool PortDiscovery::acknowledges_another_host(std::size_t host, std::uint32_t acknowledgment,
                                              std::uint16_t port) const {
  for (std::size_t i = 0; i < m_hosts.size(); ++i) {
    if (i != host && acknowledgment == sequence_for(m_hosts[i].address, port) + 1) { return true; }
  }
  return false;
}

std::uint16_t PortDiscovery::ip_id_for(std::size_t host, Protocol protocol, std::uint16_t port, int tries) const {
  const std::uint32_t key = m_hosts[host].address.value ^ (std::uint32_t{port} << 11) ^
                            (static_cast<std::uint32_t>(protocol) << 30) ^ static_cast<std::uint32_t>(tries);
  const auto id = static_cast<std::uint16_t>(mix32(m_config.sequence_secret + 0x9E3779B9U + mix32(key)));
  return id == 0 ? 1 : id;
}

Duration PortDiscovery::timeout_for(std::size_t host) const { return m_hosts[host].timeout; }

Instant PortDiscovery::expiry(const Outstanding& o) const {
  Duration wait = timeout_for(o.key.host);
  if (o.key.protocol == Protocol::tcp && o.tries >= 2 && o.tries < tries_allowed(o.key.host, o.key.protocol)) {
    wait = std::max(wait, m_config.late_resend_gap);
  }
  return o.sent_at + wait;
}

int PortDiscovery::tries_allowed(std::size_t host, Protocol protocol) const {
  const int extended = std::max(m_config.max_tries, m_config.loss_max_tries);
  if (protocol != Protocol::tcp || extended == m_config.max_tries) { return m_config.max_tries; }
  if (m_queues[host].lossy) { return extended; }
  const HostDiscovery& target = m_hosts[host];
  const bool arp_only = target.replies == 0 && target.arp_answered;
  if (target.replies == 0 && !arp_only) { return m_config.max_tries; }
  bool open = false;
  bool closed = false;
  std::size_t answered = 0;
  for (const auto& [port, state] : target.ports.tcp) {
    open = open || state == PortState::open;
    closed = closed || state == PortState::closed;
    if (state == PortState::open || state == PortState::closed) { ++answered; }
  }
  const std::size_t silent = m_config.ports.tcp.size() - answered;
  if (open && closed) { return m_config.max_tries; }
  if (silent > m_config.loss_suspect_ports) { return m_config.max_tries; }
  return arp_only ? std::max(m_config.max_tries, m_config.arp_only_max_tries) : extended;
}

std::optional<std::size_t> PortDiscovery::host_index(Ipv4Address address) const {
  const auto it = m_host_by_address.find(address.value);
  if (it == m_host_by_address.end()) { return std::nullopt; }
  return it->second;
}

std::vector<DiscoveryAction> PortDiscovery::on_tick(Instant now, std::size_t max_sends) {
  m_last_tick = now;
  std::vector<DiscoveryAction> actions;
  expire(now);
  send_due(now, max_sends, actions);
  return actions;
}

void PortDiscovery::expire(Instant now) {
  std::vector<Outstanding> expired;
  auto keep_end =
      std::partition(m_outstanding.begin(), m_outstanding.end(), [&](const Outstanding& o) { return expiry(o) > now; });
  expired.assign(keep_end, m_outstanding.end());
  m_outstanding.erase(keep_end, m_outstanding.end());
  // Oldest first, so retransmissions keep their original order.
  std::sort(expired.begin(), expired.end(),
            [](const Outstanding& a, const Outstanding& b) { return a.sent_at < b.sent_at; });
  std::vector<std::size_t> touched;
  for (const Outstanding& o : expired) {
    HostQueue& queue = m_queues[o.key.host];
    --queue.outstanding;
    touched.push_back(o.key.host);
    if (o.tries < tries_allowed(o.key.host, o.key.protocol)) {
      if (queue.pending.empty()) { m_ready.push_back(o.key.host); }
      // Behind earlier retransmissions, ahead of first sends.
      auto position =
          std::find_if(queue.pending.begin(), queue.pending.end(), [](const PendingProbe& p) { return p.tries == 0; });
      queue.pending.insert(position, PendingProbe{o.key, o.tries});
      continue;
    }
    record(o.key.host, o.key.protocol, o.key.port,
           o.key.protocol == Protocol::tcp ? PortState::filtered : PortState::open_filtered);
  }
  for (std::size_t host : touched) { maybe_complete(host); }
}

void PortDiscovery::send_due(Instant now, std::size_t max_sends, std::vector<DiscoveryAction>& actions) {
  std::size_t idle_rotations = 0; // hosts looked at in a row without a send
  while (!m_ready.empty() && m_outstanding.size() < m_config.max_outstanding && idle_rotations < m_ready.size() &&
         actions.size() < max_sends) {
    const std::size_t host = m_ready.front();
    m_ready.pop_front();
    HostQueue& queue = m_queues[host];
    if (queue.pending.empty() || m_hosts[host].status != HostStatus::probing) {
      continue; // drained by stop_early or completion; drop from the rotation
    }
    if (queue.outstanding >= m_config.max_outstanding_per_host || earliest_send(queue, now) > now) {
      m_ready.push_back(host);
      ++idle_rotations;
      continue;
    }
    const PendingProbe probe = queue.pending.front();
    queue.pending.pop_front();
    const Ipv4Address destination = m_hosts[host].address;
    const int tries = probe.tries + 1;
    if (probe.key.protocol == Protocol::tcp) {
      actions.emplace_back(SendTcpSyn{destination, m_config.tcp_source_port, probe.key.port,
                                      sequence_for(destination, probe.key.port),
                                      ip_id_for(host, Protocol::tcp, probe.key.port, tries)});
    } else {
      actions.emplace_back(SendUdpProbe{destination, m_config.udp_source_port, probe.key.port,
                                        ip_id_for(host, Protocol::udp, probe.key.port, tries)});
    }
    m_outstanding.push_back(Outstanding{probe.key, now, tries});
    queue.last_send = now;
    ++queue.outstanding;
    ++m_sent;
    idle_rotations = 0;
    if (!queue.pending.empty()) { m_ready.push_back(host); }
  }
}

std::optional<PortDiscovery::Outstanding> PortDiscovery::take_outstanding(std::size_t host, Protocol protocol,
                                                                          std::uint16_t port) {
  const auto it = std::find_if(m_outstanding.begin(), m_outstanding.end(), [&](const Outstanding& o) {
    return o.key.host == host && o.key.protocol == protocol && o.key.port == port;
  });
  if (it != m_outstanding.end()) {
    Outstanding found = *it;
    m_outstanding.erase(it);
    --m_queues[host].outstanding;
    return found;
  }
  // A late answer to a probe waiting for retransmission settles it too.
  auto& pending = m_queues[host].pending;
  const auto queued = std::find_if(pending.begin(), pending.end(), [&](const PendingProbe& p) {
    return p.key.protocol == protocol && p.key.port == port && p.tries > 0;
  });
  if (queued != pending.end()) { pending.erase(queued); }
  return std::nullopt;
}

void PortDiscovery::on_frame(const CapturedFrame& frame, Instant now) {
  if (frame.arp_sender) {
    const auto host = host_index(Ipv4Address{*frame.arp_sender});
    if (host && m_hosts[*host].status == HostStatus::probing) {
      HostDiscovery& target = m_hosts[*host];
      target.arp_answered = true;
      if (!target.link_source) { target.link_source = frame.link_source; }
    }
    return;
  }
  auto reply = parse_discovery_reply(frame.ip_packet);
  if (!reply) {
    ++m_ignored;
    return;
  }
  on_reply(*reply, now, frame.link_source);
}

void PortDiscovery::on_reply(const DiscoveryReply& reply, Instant now,
                             const std::optional<std::array<std::uint8_t, 6>>& link_source) {
  std::optional<std::size_t> host;
  Protocol protocol = Protocol::tcp;
  std::uint16_t port = 0;
  std::optional<PortState> state;
  bool from_host = false;

  if (const auto* tcp = std::get_if<TcpReply>(&reply)) {
    host = host_index(tcp->source);
    port = tcp->source_port;
    const bool acknowledges =
        host && (tcp->flags & k_tcp_ack) != 0 && tcp->acknowledgment == sequence_for(tcp->source, port) + 1;
    if (tcp->destination == m_config.source_address && tcp->destination_port == m_config.tcp_source_port) {
      // The reply's ports (our discovery source port, the probed port on the probed host) already tie
      // it to the probe. Stacks differ in what they acknowledge (the OS tests S and A exist for that:
      // A=O, A=S, A=Z), so a wrong ack number does not make an answer "no answer", as it does not
      // for Nmap's SYN scan either. But an answer that acknowledges the probe sent to *another* host
      // of the group (and not this one's) is a copy of that host's answer under a forged or wrong
      // source address: it says nothing about this host and is ignored.
      // DIVERGENCE(nmap): Nmap would record the port state it claims.
      const bool acknowledges_other = host && !acknowledges && (tcp->flags & k_tcp_ack) != 0 &&
                                      acknowledges_another_host(*host, tcp->acknowledgment, port);
      if (acknowledges_other) {
        ++m_ignored;
        return;
      }
      if ((tcp->flags & k_tcp_rst) != 0) {
        state = PortState::closed;
      } else if ((tcp->flags & k_tcp_syn) != 0) {
        state = PortState::open;
      }
    }
    from_host = true;
  } else if (const auto* udp = std::get_if<UdpReply>(&reply)) {
    host = host_index(udp->source);
    protocol = Protocol::udp;
    port = udp->source_port;
    if (udp->destination == m_config.source_address && udp->destination_port == m_config.udp_source_port) {
      state = PortState::open;
    }
    from_host = true;
  } else {
    const auto& icmp = std::get<IcmpUnreachable>(reply);
    host = host_index(icmp.quoted_destination);
    port = icmp.quoted_destination_port;
    from_host = icmp.source == icmp.quoted_destination;
    if (icmp.destination == m_config.source_address && host && is_filtering_code(icmp.code)) {
      if (icmp.quoted_protocol == k_protocol_tcp && icmp.quoted_source_port == m_config.tcp_source_port &&
          (!icmp.quoted_tcp_sequence || *icmp.quoted_tcp_sequence == sequence_for(icmp.quoted_destination, port))) {
        state = PortState::filtered;
      } else if (icmp.quoted_protocol == k_protocol_udp && icmp.quoted_source_port == m_config.udp_source_port) {
        protocol = Protocol::udp;
        state = (icmp.code == 3 && from_host) ? PortState::closed : PortState::filtered;
      }
    }
  }

  if (!host || !state || m_hosts[*host].status != HostStatus::probing) {
    ++m_ignored;
    return;
  }
  HostDiscovery& target = m_hosts[*host];
  const auto& listed = protocol == Protocol::tcp ? m_config.ports.tcp : m_config.ports.udp;
  const auto& table = protocol == Protocol::tcp ? target.ports.tcp : target.ports.udp;
  if (!std::binary_search(listed.begin(), listed.end(), port) || table.count(port) != 0) {
    ++m_ignored; // not a port we probe, or a duplicate answer
    return;
  }
  const auto outstanding = take_outstanding(*host, protocol, port);
  if (outstanding && outstanding->tries == 1) {
    record_rtt(*host, now - outstanding->sent_at); // Karn: only unambiguous samples
  }
  if (outstanding && outstanding->tries > 1) { m_queues[*host].lossy = true; }
  ++m_answered_probes;
  if (outstanding) { m_lost_sends += static_cast<std::uint64_t>(outstanding->tries - 1); }
  if (from_host) {
    ++target.replies;
    if (!target.link_source && link_source) { target.link_source = link_source; }
  }
  const PortReply answer = std::visit(
      [](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, IcmpUnreachable>) {
          return PortReply{r.ttl, r.code};
        } else {
          return PortReply{r.ttl, std::nullopt};
        }
      },
      reply);
  (protocol == Protocol::tcp ? target.tcp_replies : target.udp_replies)[port] = answer;
  record(*host, protocol, port, *state);
  maybe_complete(*host);
}

void PortDiscovery::record(std::size_t host, Protocol protocol, std::uint16_t port, PortState state) {
  HostDiscovery& target = m_hosts[host];
  (protocol == Protocol::tcp ? target.ports.tcp : target.ports.udp).emplace(port, state);
  if (m_config.stop_early && target.status == HostStatus::probing && has_enough(host)) {
    m_queues[host].pending.clear();
    const auto removed = std::remove_if(m_outstanding.begin(), m_outstanding.end(),
                                        [&](const Outstanding& o) { return o.key.host == host; });
    m_outstanding.erase(removed, m_outstanding.end());
    m_queues[host].outstanding = 0;
  }
}

bool PortDiscovery::has_enough(std::size_t host) const {
  const PortTable& table = m_hosts[host].ports;
  const auto has = [](const std::map<std::uint16_t, PortState>& ports, PortState state) {
    return std::any_of(ports.begin(), ports.end(), [&](const auto& entry) { return entry.second == state; });
  };
  return has(table.tcp, PortState::open) && has(table.tcp, PortState::closed) &&
         (m_config.ports.udp.empty() || has(table.udp, PortState::closed));
}

void PortDiscovery::record_rtt(std::size_t host, Duration sample) {
  // RFC 6298 smoothing, as Nmap's timeout code does.
  HostDiscovery& target = m_hosts[host];
  if (sample < Duration::zero()) { return; }
  if (!target.srtt) {
    target.srtt = sample;
    target.rttvar = sample / 2;
  } else {
    const Duration delta = *target.srtt > sample ? *target.srtt - sample : sample - *target.srtt;
    target.rttvar = (*target.rttvar * 3) / 4 + delta / 4;
    target.srtt = (*target.srtt * 7) / 8 + sample / 8;
  }
  target.timeout = std::clamp(*target.srtt + 4 * *target.rttvar, m_config.min_timeout, m_config.max_timeout);
}

void PortDiscovery::maybe_complete(std::size_t host) {
  if (m_hosts[host].status == HostStatus::probing && m_queues[host].pending.empty() &&
      m_queues[host].outstanding == 0) {
    complete(host);
  }
}

void PortDiscovery::complete(std::size_t host) {
  HostDiscovery& target = m_hosts[host];
  target.status = target.replies > 0 || target.arp_answered ? HostStatus::up : HostStatus::down;
  target.selected = select_os_scan_ports(target.ports, m_config.random_tcp_draw, m_config.random_udp_draw);
  --m_probing;
  m_completed.push_back(host);
}

bool PortDiscovery::finished() const { return m_probing == 0; }

std::vector<std::size_t> PortDiscovery::take_completed() {
  std::vector<std::size_t> completed;
  completed.swap(m_completed);
  return completed;
}

std::optional<Instant> PortDiscovery::next_wakeup() const {
  if (finished()) { return std::nullopt; }
  std::optional<Instant> wakeup;
  for (const Outstanding& o : m_outstanding) {
    const Instant due = expiry(o);
    if (!wakeup || due < *wakeup) { wakeup = due; }
  }
  if (m_outstanding.size() < m_config.max_outstanding) {
    const Instant now = m_last_tick.value_or(Instant{});
    for (const std::size_t host : m_ready) {
      const HostQueue& queue = m_queues[host];
      if (queue.pending.empty() || queue.outstanding >= m_config.max_outstanding_per_host) { continue; }
      const Instant due = earliest_send(queue, now);
      if (!wakeup || due < *wakeup) { wakeup = due; }
      // No host can be due before now: the first one due now ends the walk (always the first
      // eligible host without a host send gap).
      if (due <= now) { break; }
    }
  }
  return wakeup;
}

Instant PortDiscovery::earliest_send(const HostQueue& queue, Instant now) const {
  if (!queue.last_send || m_config.host_send_gap <= Duration::zero()) { return now; }
  return std::max(now, *queue.last_send + m_config.host_send_gap);
}

} // namespace stackprint::discovery
