#include "stackprint/responses/recorded_run.hpp"

#include <algorithm>
#include <chrono>
#include <variant>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::responses {
namespace {

using probes::ProbeId;

struct ParsedFrame {
  const CapturedFrame* frame;
  wire::Ipv4Packet packet;
};

bool tcp_matches_shape(const wire::Ipv4Packet& packet, const probes::TcpProbeShape& shape) {
  const wire::TcpSegment* tcp = packet.tcp();
  return tcp != nullptr && tcp->flags == shape.flags && tcp->window == shape.window &&
         tcp->reserved == shape.reserved && tcp->urgent_pointer == shape.urgent_pointer &&
         packet.ip.dont_fragment == shape.dont_fragment && tcp->payload.empty() &&
         std::equal(tcp->options_raw.begin(), tcp->options_raw.end(), shape.options.begin(), shape.options.end());
}

// The ICMP/UDP probe this packet is, or nullopt. TCP probes need the port base (see below).
std::optional<ProbeId> non_tcp_probe(const wire::Ipv4Packet& packet) {
  if (const wire::IcmpMessage* icmp = packet.icmp(); icmp != nullptr && icmp->type == wire::k_icmp_echo_request) {
    for (const ProbeId id : {ProbeId::IE1, ProbeId::IE2}) {
      const auto shape = std::get<probes::IcmpEchoProbeShape>(probes::probe_shape(id));
      if (icmp->code == shape.code && icmp->echo_sequence() == shape.sequence &&
          icmp->payload.size() == shape.data_length && packet.ip.tos == shape.tos &&
          packet.ip.dont_fragment == shape.dont_fragment) {
        return id;
      }
    }
  }
  if (const wire::UdpDatagram* udp = packet.udp(); udp != nullptr) {
    const auto shape = std::get<probes::UdpProbeShape>(probes::probe_shape(ProbeId::U1));
    if (packet.ip.id == shape.ip_id && udp->payload.size() == shape.payload_length &&
        std::all_of(udp->payload.begin(), udp->payload.end(),
                    [&](std::uint8_t b) { return b == shape.payload_byte; })) {
      return ProbeId::U1;
    }
  }
  return std::nullopt;
}

// Nmap's TCP port base from the first probe whose shape names it unambiguously (ECN, T2..T7), or
// else from the first SEQ1-shaped probe (the SEQ phase always comes first, so that one is SEQ1).
std::optional<std::uint16_t> find_tcp_port_base(std::span<const ParsedFrame> probes_sent) {
  std::optional<std::uint16_t> from_seq1;
  const auto seq1_shape = std::get<probes::TcpProbeShape>(probes::probe_shape(ProbeId::SEQ1));
  for (const ParsedFrame& p : probes_sent) {
    const wire::TcpSegment* tcp = p.packet.tcp();
    if (tcp == nullptr) { continue; }
    for (const ProbeId id :
         {ProbeId::ECN, ProbeId::T2, ProbeId::T3, ProbeId::T4, ProbeId::T5, ProbeId::T6, ProbeId::T7}) {
      const auto shape = std::get<probes::TcpProbeShape>(probes::probe_shape(id));
      if (tcp_matches_shape(p.packet, shape)) {
        return static_cast<std::uint16_t>(tcp->source_port - shape.port_offset);
      }
    }
    if (!from_seq1 && tcp_matches_shape(p.packet, seq1_shape)) { from_seq1 = tcp->source_port; }
  }
  return from_seq1;
}

std::optional<ProbeId> tcp_probe(const wire::Ipv4Packet& packet, std::uint16_t port_base) {
  const wire::TcpSegment* tcp = packet.tcp();
  if (tcp == nullptr) { return std::nullopt; }
  const auto id = probes::tcp_probe_for_reply_port(tcp->source_port, port_base);
  if (!id || !tcp_matches_shape(packet, std::get<probes::TcpProbeShape>(probes::probe_shape(*id)))) {
    return std::nullopt;
  }
  return id;
}

struct RoundBuilder {
  probes::ProbeContext context;
  Timestamp start;
  std::optional<std::uint32_t> seq_base;
  std::optional<std::uint16_t> echo_id;
  std::vector<std::pair<ProbeId, Timestamp>> sends;
};

// Nmap's probe timeout is its RTT estimate (at least 100 ms): it shows as the gap between two sends
// of the same probe. Without resends, twice the median round trip of the SEQ exchanges bounds it
// (the median, because a lost SYN/ACK is followed by the target's own retransmission a second later).
std::chrono::microseconds estimate_probe_timeout(const std::vector<RoundBuilder>& rounds,
                                                 const std::vector<ParsedFrame>& parsed,
                                                 std::optional<std::uint16_t> port_base) {
  std::chrono::microseconds timeout = std::chrono::milliseconds(100);
  std::vector<std::chrono::microseconds> round_trips;
  for (const RoundBuilder& round : rounds) {
    for (std::size_t i = 0; i < round.sends.size(); ++i) {
      for (std::size_t j = i + 1; j < round.sends.size(); ++j) {
        if (round.sends[j].first == round.sends[i].first) {
          timeout = std::max(timeout, std::chrono::duration_cast<std::chrono::microseconds>(round.sends[j].second -
                                                                                            round.sends[i].second));
          break;
        }
      }
    }
    if (!port_base || !round.seq_base) { continue; }
    for (const auto& [id, sent] : round.sends) {
      if (!probes::is_seq_probe(id)) { continue; }
      const auto port = static_cast<std::uint16_t>(*port_base + static_cast<std::uint16_t>(id));
      const std::uint32_t expected_ack = *round.seq_base + static_cast<std::uint32_t>(id) + 1;
      for (const ParsedFrame& p : parsed) {
        const wire::TcpSegment* tcp = p.packet.tcp();
        if (p.frame->time >= sent && tcp != nullptr && tcp->destination_port == port &&
            tcp->acknowledgment == expected_ack && p.packet.ip.source == round.context.target_address) {
          round_trips.push_back(std::chrono::duration_cast<std::chrono::microseconds>(p.frame->time - sent));
          break;
        }
      }
    }
  }
  if (!round_trips.empty()) {
    const auto middle = round_trips.begin() + static_cast<std::ptrdiff_t>(round_trips.size() / 2);
    std::nth_element(round_trips.begin(), middle, round_trips.end());
    timeout = std::max(timeout, 2 * *middle);
  }
  return std::min<std::chrono::microseconds>(timeout, std::chrono::seconds(1));
}

// How long Nmap goes on listening after the last send of its last round: until that probe has
// timed out, i.e. its RTT-based timeout (at least 100 ms; twice the median SEQ round trip, as
// above). The gaps between re-sends are no measure here: each also holds the time the waiting loop
// took to notice the timeout, and a retransmitted SYN/ACK can arrive within that slack after Nmap
// stopped (the recorded run lateseq25).
std::chrono::microseconds estimate_listen_tail(const std::vector<RoundBuilder>& rounds,
                                               const std::vector<ParsedFrame>& parsed,
                                               std::optional<std::uint16_t> port_base,
                                               std::chrono::microseconds timeout) {
  std::vector<RoundBuilder> without_resends;
  without_resends.reserve(rounds.size());
  for (const RoundBuilder& round : rounds) {
    RoundBuilder copy = round;
    std::vector<std::pair<ProbeId, Timestamp>> firsts;
    for (const auto& send : round.sends) {
      if (std::none_of(firsts.begin(), firsts.end(), [&](const auto& f) { return f.first == send.first; })) {
        firsts.push_back(send);
      }
    }
    copy.sends = std::move(firsts);
    without_resends.push_back(std::move(copy));
  }
  return std::min(timeout, estimate_probe_timeout(without_resends, parsed, port_base));
}

} // namespace

Expected<RecordedRun> reconstruct_run(std::span<const CapturedFrame> frames, std::uint32_t target_address) {
  RecordedRun run;
  run.target_address = target_address;

  std::vector<ParsedFrame> parsed;
  parsed.reserve(frames.size());
  for (const CapturedFrame& frame : frames) {
    auto packet = wire::parse_ipv4(frame.ip_packet);
    if (!packet) {
      ++run.unparsed_frames;
      continue;
    }
    if (packet->ip.destination == target_address || packet->ip.source == target_address) {
      parsed.push_back({&frame, std::move(*packet)});
    }
  }
  std::stable_sort(parsed.begin(), parsed.end(),
                   [](const ParsedFrame& a, const ParsedFrame& b) { return a.frame->time < b.frame->time; });

  std::vector<ParsedFrame> to_target;
  for (const ParsedFrame& p : parsed) {
    if (p.packet.ip.destination == target_address) { to_target.push_back(p); }
  }
  const auto port_base = find_tcp_port_base(to_target);

  // Identify every probe, then cut the run into rounds.
  std::vector<RoundBuilder> rounds;
  std::vector<bool> is_probe(parsed.size(), false);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const ParsedFrame& p = parsed[i];
    if (p.packet.ip.destination != target_address) { continue; }
    std::optional<ProbeId> id = non_tcp_probe(p.packet);
    if (!id && p.packet.tcp() != nullptr && port_base) { id = tcp_probe(p.packet, *port_base); }
    if (!id) { continue; }
    is_probe[i] = true;
    if (run.scanner_address == 0) { run.scanner_address = p.packet.ip.source; }
    if (p.packet.ip.source != run.scanner_address) {
      continue; // decoys
    }
    std::optional<std::uint32_t> seq_base;
    std::optional<std::uint16_t> echo_id;
    if (const wire::TcpSegment* tcp = p.packet.tcp()) {
      const auto shape = std::get<probes::TcpProbeShape>(probes::probe_shape(*id));
      seq_base = tcp->sequence - shape.sequence_offset;
    } else if (const wire::IcmpMessage* icmp = p.packet.icmp()) {
      echo_id = static_cast<std::uint16_t>(icmp->echo_identifier() - (*id == ProbeId::IE2 ? 1 : 0));
    }
    const bool new_round = rounds.empty() ||
                           (seq_base && rounds.back().seq_base && *rounds.back().seq_base != *seq_base) ||
                           (echo_id && rounds.back().echo_id && *rounds.back().echo_id != *echo_id);
    if (new_round) {
      RoundBuilder builder;
      builder.start = p.frame->time;
      builder.context.source_address = run.scanner_address;
      builder.context.target_address = target_address;
      builder.context.tcp_port_base = port_base.value_or(0);
      rounds.push_back(builder);
    }
    RoundBuilder& round = rounds.back();
    probes::ProbeContext& ctx = round.context;
    if (const wire::TcpSegment* tcp = p.packet.tcp()) {
      round.seq_base = seq_base;
      ctx.tcp_seq_base = *seq_base;
      const auto shape = std::get<probes::TcpProbeShape>(probes::probe_shape(*id));
      if (!shape.zero_ack) { ctx.tcp_ack = tcp->acknowledgment; }
      if (shape.destination == probes::PortRole::open_tcp) {
        ctx.open_tcp_port = tcp->destination_port;
        run.open_tcp_port = tcp->destination_port;
      } else {
        ctx.closed_tcp_port = tcp->destination_port;
        run.closed_tcp_port = tcp->destination_port;
      }
    } else if (echo_id) {
      round.echo_id = echo_id;
      ctx.icmp_echo_id = *echo_id;
    } else if (const wire::UdpDatagram* udp = p.packet.udp()) {
      ctx.udp_port_base = udp->source_port;
      ctx.closed_udp_port = udp->destination_port;
      ctx.udp_ttl = p.packet.ip.ttl;
      run.closed_udp_port = udp->destination_port;
    }
    round.sends.emplace_back(*id, p.frame->time);
  }
  if (rounds.empty()) { return fail("no OS-detection probe to the target in the capture"); }

  // Port scan results: replies from the target before the first OS probe.
  const Timestamp first_probe = rounds.front().start;
  bool syn_to_non_open_port = false;
  bool any_reset = false;
  for (const ParsedFrame& p : parsed) {
    if (p.frame->time >= first_probe) { break; }
    if (const wire::UdpDatagram* udp = p.packet.udp(); udp != nullptr && p.packet.ip.destination == target_address) {
      run.udp_port_scan = true;
      run.scanned_udp_ports.push_back(udp->destination_port);
    }
    if (const wire::TcpSegment* tcp = p.packet.tcp(); tcp != nullptr && p.packet.ip.destination == target_address &&
                                                      tcp->has_flags(wire::k_tcp_syn) &&
                                                      tcp->destination_port != run.open_tcp_port) {
      syn_to_non_open_port = true;
    }
    if (p.packet.ip.source != target_address) { continue; }
    if (const wire::TcpSegment* tcp = p.packet.tcp(); tcp != nullptr && tcp->has_flags(wire::k_tcp_rst)) {
      any_reset = true;
      if (tcp->source_port == run.closed_tcp_port) { run.closed_tcp_port_known = true; }
    }
    if (const wire::IcmpMessage* icmp = p.packet.icmp(); icmp != nullptr &&
                                                         icmp->type == wire::k_icmp_destination_unreachable &&
                                                         icmp->code == wire::k_icmp_code_port_unreachable) {
      if (const auto quoted = icmp->quoted_packet(); quoted && quoted->ip.protocol == wire::k_ip_protocol_udp &&
                                                     quoted->destination_port() == run.closed_udp_port) {
        run.closed_udp_port_known = true;
      }
    }
  }

  run.closed_tcp_ports_filtered = syn_to_non_open_port && !any_reset;
  std::sort(run.scanned_udp_ports.begin(), run.scanned_udp_ports.end());
  run.scanned_udp_ports.erase(std::unique(run.scanned_udp_ports.begin(), run.scanned_udp_ports.end()),
                              run.scanned_udp_ports.end());

  // Feed sends and replies in time order, each to the round running at that time.
  std::int64_t min_gap_ms = -1;
  for (const RoundBuilder& builder : rounds) {
    for (std::size_t i = 1; i < builder.sends.size(); ++i) {
      const auto gap =
          std::chrono::duration_cast<std::chrono::milliseconds>(builder.sends[i].second - builder.sends[i - 1].second)
              .count();
      min_gap_ms = min_gap_ms < 0 ? gap : std::min(min_gap_ms, gap);
    }
  }
  run.inferred_scan_delay_ms = min_gap_ms >= 100 ? min_gap_ms : 0;

  // Nmap listens only while a round runs and reads what arrived in between at the start of the next
  // round (its capture handle stays open): a target's late retransmission then fills the next
  // round's slot, and Nmap skips that probe. A round ends when its last probe is answered or has
  // timed out, so each round's window closes one probe timeout after its last send; after the last
  // round Nmap reads nothing more.
  const auto timeout = estimate_probe_timeout(rounds, parsed, port_base);
  const auto listen_tail = estimate_listen_tail(rounds, parsed, port_base, timeout);
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    const RoundBuilder& builder = rounds[r];
    const Timestamp begin = r == 0 ? builder.start : rounds[r - 1].sends.back().second + timeout;
    const Timestamp end = builder.sends.back().second + (r + 1 < rounds.size() ? timeout : listen_tail);
    // No SEQ timeout: Nmap takes any SYN/ACK on a SEQ port as that probe's sample for as long as it
    // listens, however late (round_replies.hpp; the live engine differs on purpose).
    RoundCollector collector(builder.context);
    std::size_t next_send = 0;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      const ParsedFrame& p = parsed[i];
      if (p.frame->time < begin || p.frame->time >= end) { continue; }
      while (next_send < builder.sends.size() && builder.sends[next_send].second <= p.frame->time) {
        collector.on_probe_sent(builder.sends[next_send].first, builder.sends[next_send].second);
        ++next_send;
      }
      if (is_probe[i] || p.packet.ip.source != target_address) { continue; }
      if (!run.target_mac && p.frame->link_source) { run.target_mac = p.frame->link_source; }
      (void)collector.on_reply(Reply{p.frame->time, p.packet, p.frame->ip_packet, p.frame->link_source});
    }
    for (; next_send < builder.sends.size(); ++next_send) {
      collector.on_probe_sent(builder.sends[next_send].first, builder.sends[next_send].second);
    }
    run.rounds.push_back(RecordedRound{builder.context, collector.replies(), builder.start});
  }
  return run;
}

} // namespace stackprint::responses
