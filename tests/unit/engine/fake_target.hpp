#pragma once
// A small scripted TCP/IP stack for engine tests: answers Nmap's probes roughly as Linux does
// (SYN/ACK with timestamps on the open port, RST elsewhere, silence to T2/T3, echo replies, port
// unreachable for UDP), with switches to drop chosen probe kinds.

#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "stackprint/emulation/responder.hpp"
#include "stackprint/wire/ipv4_packet.hpp"
#include "stackprint/wire/packet_builders.hpp"

namespace stackprint::engine::testing {

class FakeTarget {
public:
  FakeTarget(std::uint32_t address, std::uint16_t open_port) : m_address(address), m_open_port(open_port) {}

  bool drop_echo = false;
  bool drop_udp = false;
  int drop_first_n_echo = 0; // lose the first N echo requests
  // Lose the first N replies to probes of this shape (OPS i has SEQ i's shape; T1 has SEQ1's).
  std::map<probes::ProbeId, int> drop_first;
  // Lose the n-th reply (1-based) to probes of this shape.
  std::set<std::pair<probes::ProbeId, int>> drop_nth;
  // Lose every reply to probes of this shape.
  std::set<probes::ProbeId> drop_always;
  // Random loss of replies (after they were generated, so counters still advance), seeded.
  double reply_loss = 0.0;
  std::mt19937_64 loss_random{1};
  // One IP ID counter for every reply, TCP and ICMP (as Windows): TI=I, II=I, SS=S.
  bool shared_ip_id_counter = false;
  // Echo replies carry the request's own IP ID back (as lwIP's), so II reads the probes' IP IDs.
  bool echo_reflects_ip_id = false;
  // ICMP replies per second (token bucket, burst 1), like `emulate --rate-limit-icmp`; 0 = none.
  double icmp_per_second = 0.0;
  // A SYN/ACK lost by one of the drop rules above is retransmitted this many seconds later, as a
  // kernel does: same ISN, a TSval advanced at 1000 Hz. 0: no retransmission.
  double syn_ack_retransmit_after_s = 0.0;
  // Retransmissions made by answer(): (seconds from now, packet); taken by the simulation.
  std::vector<std::pair<double, std::vector<std::uint8_t>>> retransmissions;

  // Replies to one packet (empty for silence); `now_s` is the simulated time in seconds.
  std::vector<std::vector<std::uint8_t>> answer(const std::vector<std::uint8_t>& bytes, double now_s = 0.0) {
    auto parsed = wire::parse_ipv4(bytes);
    if (!parsed || parsed->ip.destination != m_address) { return {}; }
    ++m_received;
    const auto probe = emulation::recognise_probe(*parsed);
    auto replies = generate(*parsed, bytes);
    if (replies.empty()) { return replies; }
    if (probe) {
      ++m_answered_per_shape[*probe];
      if (drop_always.count(*probe) != 0 || m_answered_per_shape[*probe] <= drop_first[*probe] ||
          drop_nth.count({*probe, m_answered_per_shape[*probe]}) != 0) {
        if (syn_ack_retransmit_after_s > 0.0) { retransmit_later(replies.front()); }
        return {};
      }
    }
    if (reply_loss > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(loss_random) < reply_loss) { return {}; }
    if (icmp_per_second > 0.0 && parsed->tcp() == nullptr) {
      m_icmp_tokens = std::min(1.0, m_icmp_tokens + (now_s - m_icmp_last) * icmp_per_second);
      m_icmp_last = now_s;
      if (m_icmp_tokens < 1.0) {
        ++m_rate_limited;
        return {};
      }
      m_icmp_tokens -= 1.0;
    }
    return replies;
  }

  [[nodiscard]] std::uint64_t received() const { return m_received; }
  [[nodiscard]] std::uint64_t rate_limited() const { return m_rate_limited; }

private:
  void retransmit_later(const std::vector<std::uint8_t>& original) {
    auto parsed = wire::parse_ipv4(original);
    const wire::TcpSegment* tcp = parsed ? parsed->tcp() : nullptr;
    if (tcp == nullptr || !tcp->has_flags(wire::k_tcp_syn | wire::k_tcp_ack)) { return; }
    wire::TcpSegment again = *tcp;
    const auto fresh_ts = static_cast<std::uint32_t>(m_ts + syn_ack_retransmit_after_s * 1000.0);
    const std::vector<wire::TcpOption> options{wire::TcpOption::mss(1460), wire::TcpOption::sack_permitted(),
                                               wire::TcpOption::timestamp(fresh_ts, 0xFFFFFFFF), wire::TcpOption::nop(),
                                               wire::TcpOption::window_scale(7)};
    again.set_options(options);
    parsed->payload = again;
    retransmissions.emplace_back(syn_ack_retransmit_after_s, wire::serialize(*parsed));
  }

  std::vector<std::vector<std::uint8_t>> generate(const wire::Ipv4Packet& parsed_in,
                                                  const std::vector<std::uint8_t>& bytes) {
    const auto* parsed = &parsed_in;
    wire::Ipv4Packet reply;
    reply.ip.source = m_address;
    reply.ip.destination = parsed->ip.source;
    reply.ip.ttl = 64;
    reply.ip.id = shared_ip_id_counter ? ++m_icmp_id : 0;
    reply.ip.dont_fragment = true;
    if (const auto* tcp = parsed->tcp()) {
      wire::TcpSegment out;
      out.source_port = tcp->destination_port;
      out.destination_port = tcp->source_port;
      reply.ip.protocol = wire::k_ip_protocol_tcp;
      const bool syn = (tcp->flags & wire::k_tcp_syn) != 0;
      const bool open = tcp->destination_port == m_open_port;
      if (open && syn && (tcp->flags & wire::k_tcp_fin) == 0) {
        out.flags = wire::k_tcp_syn | wire::k_tcp_ack;
        m_isn += 1000003;
        out.sequence = m_isn;
        out.acknowledgment = tcp->sequence + 1;
        out.window = 0xFE88;
        std::vector<wire::TcpOption> options{wire::TcpOption::mss(1460), wire::TcpOption::sack_permitted(),
                                             wire::TcpOption::timestamp(m_ts += 100, 0xFFFFFFFF),
                                             wire::TcpOption::nop(), wire::TcpOption::window_scale(7)};
        out.set_options(options);
      } else if (open && (tcp->flags == 0 || (tcp->flags & wire::k_tcp_fin) != 0)) {
        return {}; // T2, T3: Linux stays silent
      } else if ((tcp->flags & wire::k_tcp_ack) != 0) {
        out.flags = wire::k_tcp_rst;
        out.sequence = tcp->acknowledgment;
      } else {
        out.flags = wire::k_tcp_rst | wire::k_tcp_ack;
        out.acknowledgment = tcp->sequence + 1;
      }
      reply.payload = out;
    } else if (const auto* icmp = parsed->icmp()) {
      if (drop_echo || m_echo_dropped < drop_first_n_echo) {
        ++m_echo_dropped;
        return {};
      }
      reply.ip.protocol = wire::k_ip_protocol_icmp;
      reply.ip.dont_fragment = false;
      reply.ip.id = shared_ip_id_counter ? reply.ip.id : ++m_icmp_id; // (already drawn when shared)
      if (echo_reflects_ip_id) { reply.ip.id = parsed->ip.id; }
      reply.payload = wire::make_echo_reply(*icmp);
    } else if (parsed->udp() != nullptr) {
      if (drop_udp) { return {}; }
      reply.ip.protocol = wire::k_ip_protocol_icmp;
      reply.ip.dont_fragment = false;
      reply.ip.tos = 0xC0;
      reply.payload = wire::make_icmp_error(3, 3, bytes, 548);
    } else {
      return {};
    }
    return {wire::serialize(reply)};
  }

  std::uint32_t m_address;
  std::uint16_t m_open_port;
  std::uint32_t m_isn = 12345;
  std::uint32_t m_ts = 1000;
  std::uint16_t m_icmp_id = 100;
  int m_echo_dropped = 0;
  std::uint64_t m_received = 0;
  std::uint64_t m_rate_limited = 0;
  std::map<probes::ProbeId, int> m_answered_per_shape;
  double m_icmp_tokens = 1.0;
  double m_icmp_last = 0.0;
};

} // namespace stackprint::engine::testing
