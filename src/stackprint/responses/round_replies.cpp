#include "stackprint/responses/round_replies.hpp"

#include <algorithm>
#include <utility>
#include <variant>

namespace stackprint::responses {

using probes::ProbeId;

namespace {

std::uint32_t seq_isn(const Reply& reply) {
  const wire::TcpSegment* tcp = reply.packet.tcp();
  return tcp != nullptr ? tcp->sequence : 0;
}

constexpr std::uint8_t k_option_end = 0;
constexpr std::uint8_t k_option_nop = 1;
constexpr std::uint8_t k_option_timestamp = 8;
constexpr std::size_t k_timestamp_length = 10;

} // namespace

bool same_option_reading(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) { return false; }
  std::size_t i = 0;
  while (i < a.size()) {
    if (a[i] != b[i]) { return false; }
    const std::uint8_t kind = a[i];
    if (kind == k_option_end || kind == k_option_nop || i + 1 >= a.size()) {
      ++i;
      continue;
    }
    if (a[i + 1] != b[i + 1]) { return false; }
    const std::size_t length = a[i + 1];
    if (length < 2 || i + length > a.size()) { // malformed: compare the rest byte for byte
      return std::equal(a.begin() + static_cast<std::ptrdiff_t>(i), a.end(),
                        b.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (kind == k_option_timestamp && length == k_timestamp_length) {
      for (std::size_t value = i + 2; value < i + k_timestamp_length; value += 4) {
        const bool zero_a = a[value] == 0 && a[value + 1] == 0 && a[value + 2] == 0 && a[value + 3] == 0;
        const bool zero_b = b[value] == 0 && b[value + 1] == 0 && b[value + 2] == 0 && b[value + 3] == 0;
        if (zero_a != zero_b) { return false; }
      }
    } else if (!std::equal(a.begin() + static_cast<std::ptrdiff_t>(i + 2),
                           a.begin() + static_cast<std::ptrdiff_t>(i + length),
                           b.begin() + static_cast<std::ptrdiff_t>(i + 2))) {
      return false;
    }
    i += length;
  }
  return true;
}

void RoundCollector::track_retransmissions(std::vector<SeenSynAck> known) {
  m_tracking = true;
  m_seen = std::move(known);
  if (m_seen.size() > k_max_seen_syn_acks) {
    m_seen.erase(m_seen.begin(), m_seen.end() - static_cast<std::ptrdiff_t>(k_max_seen_syn_acks));
  }
}

void RoundCollector::on_probe_sent(ProbeId id, Timestamp time) {
  const auto index = static_cast<std::size_t>(id);
  ++m_replies.sends[index];
  if (const auto slot = probes::seq_index(id); slot && probes::is_seq_probe(id)) {
    auto& send_time = m_replies.seq_send_times[static_cast<std::size_t>(*slot)];
    if (!send_time) { send_time = time; }
  }
}

void RoundCollector::on_probe_left(ProbeId id, Timestamp time) {
  const auto slot = probes::seq_index(id);
  if (!slot || !probes::is_seq_probe(id) || m_replies.sends[static_cast<std::size_t>(id)] != 1) { return; }
  m_replies.seq_send_times[static_cast<std::size_t>(*slot)] = time;
}

std::optional<ProbeId> RoundCollector::on_reply(Reply reply) {
  if (reply.packet.ip.source != m_context.target_address) {
    ++m_replies.unmatched_packets;
    return std::nullopt;
  }
  if (const wire::TcpSegment* tcp = reply.packet.tcp(); tcp != nullptr) {
    const std::uint16_t port = tcp->destination_port;
    const bool syn_ack = tcp->has_flags(wire::k_tcp_syn | wire::k_tcp_ack);
    return on_tcp_reply(reply, port, syn_ack);
  }
  if (const wire::IcmpMessage* icmp = reply.packet.icmp(); icmp != nullptr) {
    const wire::IcmpMessage copy = *icmp;
    return on_icmp_reply(reply, copy);
  }
  ++m_replies.unmatched_packets;
  return std::nullopt;
}

std::optional<ProbeId> RoundCollector::on_tcp_reply(Reply& reply, std::uint16_t destination_port, bool syn_ack) {
  const auto probe = probes::tcp_probe_for_reply_port(destination_port, m_context.tcp_port_base);
  if (!probe) {
    ++m_replies.unmatched_packets;
    return std::nullopt;
  }
  // DIVERGENCE(nmap): Nmap classifies TCP replies by their destination port alone. A real answer
  // always comes from the port the probe went to, so a packet from any other port is an unsolicited
  // or forged one (a flood that hit the probe window by chance) and is not credited to the probe.
  // A port of 0 in the context means "not known" (capture replays) and is not checked.
  const auto shape = std::get<probes::TcpProbeShape>(probes::probe_shape(*probe));
  const std::uint16_t probed_port =
      shape.destination == probes::PortRole::open_tcp ? m_context.open_tcp_port : m_context.closed_tcp_port;
  if (probed_port != 0 && reply.packet.tcp()->source_port != probed_port) {
    ++m_replies.unmatched_packets;
    return std::nullopt;
  }
  // Live engine: a SYN/ACK repeating the ISN of one already seen on this port is the target's
  // retransmission; it reads the same for O_i/W_i only with the original's window and options.
  bool repeated = false;
  bool reads_as_original = true;
  if (m_tracking && syn_ack) {
    const wire::TcpSegment& tcp = *reply.packet.tcp();
    const auto original = std::find_if(m_seen.begin(), m_seen.end(), [&](const SeenSynAck& s) {
      return s.port == destination_port && s.isn == tcp.sequence;
    });
    if (original != m_seen.end() && tcp.sequence != 0) {
      repeated = true;
      reads_as_original = original->window == tcp.window && same_option_reading(original->options, tcp.options_raw);
    } else if (original == m_seen.end()) {
      if (m_seen.size() >= k_max_seen_syn_acks) { m_seen.erase(m_seen.begin()); }
      m_seen.push_back(SeenSynAck{destination_port, tcp.sequence, tcp.window, tcp.options_raw});
    }
  }
  std::optional<ProbeId> useful;
  if (probes::is_seq_probe(*probe)) {
    const auto slot = static_cast<std::size_t>(*probe);
    const std::uint16_t ip_id = reply.packet.ip.id;
    const bool duplicate_id = m_last_seq_ip_id && *m_last_seq_ip_id == ip_id && ip_id != 0;
    // A slot whose SYN/ACK carried ISN 0 counts as empty for Nmap, so a later SYN/ACK replaces it.
    const bool slot_free = !m_replies.seq[slot] || seq_isn(*m_replies.seq[slot]) == 0;
    const auto& sent = m_replies.seq_send_times[slot];
    const bool late = (m_seq_timeout && sent && reply.time - *sent > *m_seq_timeout) || (m_tracking && !sent);
    if (syn_ack && slot_free && late) {
      m_replies.seq_late = static_cast<std::uint8_t>(m_replies.seq_late | (1U << slot));
    }
    if (syn_ack && slot_free && repeated) {
      m_replies.seq_retransmitted = static_cast<std::uint8_t>(m_replies.seq_retransmitted | (1U << slot));
    }
    if (!reads_as_original) {
      ++m_replies.duplicate_packets;
      return std::nullopt;
    }
    if (syn_ack && slot_free && !duplicate_id && !late && !repeated) {
      if (m_replies.seq[slot]) { std::erase(m_replies.seq_arrival_order, slot); }
      m_replies.seq[slot] = reply;
      m_replies.seq_arrival_order.push_back(slot);
      m_last_seq_ip_id = ip_id;
      useful = probe;
    }
    // Whether or not it made a SEQ sample, SEQ1's reply is T1 and every SEQ reply feeds OPS/WIN.
    if (slot == 0 && !m_replies.t[0]) { m_replies.t[0] = reply; }
    if (!m_replies.ops_win[slot]) { m_replies.ops_win[slot] = std::move(reply); }
  } else if (probes::is_ops_resend(*probe)) {
    const auto slot = static_cast<std::size_t>(*probes::seq_index(*probe));
    if (!m_replies.ops_win[slot]) {
      m_replies.ops_win[slot] = std::move(reply);
      useful = probe;
    }
  } else if (*probe == ProbeId::ECN) {
    if (!m_replies.ecn) {
      m_replies.ecn = std::move(reply);
      useful = probe;
    }
  } else {
    const auto t_index = static_cast<std::size_t>(*probe) - static_cast<std::size_t>(ProbeId::T1);
    if (!m_replies.t[t_index]) {
      m_replies.t[t_index] = std::move(reply);
      useful = probe;
    }
  }
  if (!useful) { ++m_replies.duplicate_packets; }
  return useful;
}

std::optional<ProbeId> RoundCollector::on_icmp_reply(Reply& reply, const wire::IcmpMessage& icmp) {
  if (icmp.type == wire::k_icmp_echo_reply) {
    const auto probe = probes::echo_probe_for_reply_id(icmp.echo_identifier(), m_context.icmp_echo_id);
    if (!probe) {
      ++m_replies.unmatched_packets;
      return std::nullopt;
    }
    const std::size_t index = *probe == ProbeId::IE1 ? 0 : 1;
    if (m_replies.echo[index]) {
      ++m_replies.duplicate_packets;
      return std::nullopt;
    }
    m_replies.echo_reply_after_retransmission[index] = m_replies.sends[static_cast<std::size_t>(*probe)] > 1;
    m_replies.echo[index] = std::move(reply);
    return probe;
  }
  if (icmp.type == wire::k_icmp_destination_unreachable && icmp.code == wire::k_icmp_code_port_unreachable) {
    const auto quoted = icmp.quoted_packet();
    // DIVERGENCE(nmap): the quoted datagram must also have gone to this target; Nmap checks only
    // the quoted ports, so an unreachable that quotes the probe of another scanned host whose U1
    // ports happen to be the same would be credited to this one.
    if (!quoted || quoted->ip.protocol != 17 || quoted->ip.destination != m_context.target_address ||
        quoted->source_port() != m_context.udp_port_base || quoted->destination_port() != m_context.closed_udp_port) {
      ++m_replies.unmatched_packets;
      return std::nullopt;
    }
    if (m_replies.u1) {
      ++m_replies.duplicate_packets;
      return std::nullopt;
    }
    m_replies.u1 = std::move(reply);
    return ProbeId::U1;
  }
  ++m_replies.unmatched_packets;
  return std::nullopt;
}

} // namespace stackprint::responses
