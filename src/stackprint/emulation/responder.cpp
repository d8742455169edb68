#include "stackprint/emulation/responder.hpp"

#include <algorithm>
#include <cmath>

#include "stackprint/base/checksum.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/wire/packet_builders.hpp"

namespace stackprint::emulation {

using probes::ProbeId;

namespace {

constexpr std::size_t k_max_series = 1024; // scanning peers remembered for SEQ series
// Real TCP timestamp clocks tick at most about 1000 Hz; Nmap's TS values reach 2^34 Hz.
constexpr double k_fastest_tick_hz = 65536.0;

bool tcp_matches_shape(const wire::Ipv4Packet& packet, const wire::TcpSegment& tcp, const probes::TcpProbeShape& s) {
  return tcp.flags == s.flags && tcp.window == s.window && tcp.reserved == s.reserved &&
         tcp.urgent_pointer == s.urgent_pointer && packet.ip.dont_fragment == s.dont_fragment && tcp.payload.empty() &&
         std::equal(tcp.options_raw.begin(), tcp.options_raw.end(), s.options.begin(), s.options.end());
}

std::optional<std::uint32_t> probe_tsval(const wire::TcpSegment& tcp) {
  const auto ts = tcp.options().find(wire::k_tcp_option_timestamp);
  if (!ts) return std::nullopt;
  const auto v = ts->timestamp_value();
  if (!v) return std::nullopt;
  return v->value;
}

void put_be32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t v) {
  if (at + 4 > bytes.size()) return;
  bytes[at] = static_cast<std::uint8_t>(v >> 24U);
  bytes[at + 1] = static_cast<std::uint8_t>(v >> 16U);
  bytes[at + 2] = static_cast<std::uint8_t>(v >> 8U);
  bytes[at + 3] = static_cast<std::uint8_t>(v);
}

void put_be16(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint16_t v) {
  if (at + 2 > bytes.size()) return;
  bytes[at] = static_cast<std::uint8_t>(v >> 8U);
  bytes[at + 1] = static_cast<std::uint8_t>(v);
}

} // namespace

std::optional<ProbeId> recognise_probe(const wire::Ipv4Packet& packet) {
  if (const auto* tcp = packet.tcp()) {
    static constexpr std::array<ProbeId, 13> candidates{
        ProbeId::SEQ1, ProbeId::SEQ2, ProbeId::SEQ3, ProbeId::SEQ4, ProbeId::SEQ5, ProbeId::SEQ6, ProbeId::ECN,
        ProbeId::T2,   ProbeId::T3,   ProbeId::T4,   ProbeId::T5,   ProbeId::T6,   ProbeId::T7};
    for (const ProbeId id : candidates) {
      const auto shape = probes::probe_shape(id);
      if (const auto* s = std::get_if<probes::TcpProbeShape>(&shape); s && tcp_matches_shape(packet, *tcp, *s))
        return id;
    }
    return std::nullopt;
  }
  if (const auto* icmp = packet.icmp()) {
    if (icmp->type != wire::k_icmp_echo_request) return std::nullopt;
    for (const ProbeId id : {ProbeId::IE1, ProbeId::IE2}) {
      const auto shape = probes::probe_shape(id);
      const auto* s = std::get_if<probes::IcmpEchoProbeShape>(&shape);
      if (s != nullptr && icmp->code == s->code && icmp->payload.size() == s->data_length && packet.ip.tos == s->tos &&
          packet.ip.dont_fragment == s->dont_fragment) {
        return id;
      }
    }
    return std::nullopt;
  }
  if (const auto* udp = packet.udp()) {
    const auto shape = probes::probe_shape(ProbeId::U1);
    const auto* s = std::get_if<probes::UdpProbeShape>(&shape);
    if (s != nullptr && packet.ip.id == s->ip_id && udp->payload.size() == s->payload_length &&
        std::all_of(udp->payload.begin(), udp->payload.end(), [&](std::uint8_t b) { return b == s->payload_byte; })) {
      return ProbeId::U1;
    }
  }
  return std::nullopt;
}

Responder::Responder(Personality personality, ResponderOptions options)
    : m_personality(std::move(personality)), m_options(std::move(options)),
      m_rng(mix_seed(m_options.seed, std::uint64_t{m_options.address})) {
  // A pretended uptime of 1..30 days and random clock offsets, all from the seed.
  m_boot_seconds = 86400.0 * (1.0 + static_cast<double>(m_rng.below(29))) + static_cast<double>(m_rng.below(86400));
  m_isn_offset = static_cast<std::uint32_t>(m_rng.next());
  m_ts_offset = static_cast<std::uint32_t>(m_rng.next());
  m_tcp_counter = static_cast<std::uint32_t>(m_rng.below(20000));
  m_closed_counter = static_cast<std::uint32_t>(m_rng.below(20000));
  m_icmp_counter = static_cast<std::uint32_t>(30000 + m_rng.below(8000));
}

bool Responder::is_open(std::uint16_t port) const {
  return std::find(m_options.open_tcp_ports.begin(), m_options.open_tcp_ports.end(), port) !=
         m_options.open_tcp_ports.end();
}

double Responder::seconds_since_boot(Timestamp now) const {
  const Timestamp origin = m_origin.value_or(now);
  return m_boot_seconds + static_cast<double>((now - origin).count()) / 1e6;
}

std::uint32_t Responder::clock_isn(Timestamp now) const {
  const IsnPlan& plan = m_personality.isn;
  if (plan.gcd == 0) return m_isn_offset == 0 ? 1 : m_isn_offset;
  const double steps = std::floor(std::fmod(seconds_since_boot(now) * plan.average_rate / plan.gcd, 4294967296.0));
  const auto value = static_cast<std::uint32_t>(
      m_isn_offset + static_cast<std::uint32_t>(static_cast<std::uint64_t>(steps) * plan.gcd));
  return value == 0 ? plan.gcd : value;
}

std::uint32_t Responder::clock_tsval(Timestamp now) const {
  const TimestampPlan& plan = m_personality.timestamps;
  return timestamp_value(plan.kind == TimestampKind::clock ? plan : TimestampPlan{TimestampKind::clock, 100.0},
                         seconds_since_boot(now), m_ts_offset);
}

std::uint32_t Responder::retransmitted_tsval(const DueSynAck& due, Timestamp now) const {
  const TimestampPlan& plan = m_personality.timestamps;
  if (plan.kind != TimestampKind::clock || plan.hz <= k_fastest_tick_hz) return clock_tsval(now);
  // A TS rate no clock runs at is how Nmap reads a stack that draws a random TSval offset per
  // connection (docs/emulator-timing.md "TCP timestamps"): a copy keeps its connection's offset, so
  // its TSval is the original's moved on by a 1000 Hz clock.
  const auto* seg = due.packet.tcp();
  if (seg == nullptr || !due.timestamp_offset || *due.timestamp_offset + 6 > seg->options_raw.size()) {
    return clock_tsval(now);
  }
  const std::size_t at = *due.timestamp_offset + 2;
  std::uint32_t original = 0;
  for (std::size_t i = 0; i < 4; ++i) original = (original << 8U) | seg->options_raw[at + i];
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - due.first_sent).count();
  return original + static_cast<std::uint32_t>(std::max<std::int64_t>(elapsed_ms, 1));
}

wire::Ipv4Packet Responder::resent_copy(DueSynAck due, Timestamp now) {
  const std::uint32_t tsval = retransmitted_tsval(due, now);
  wire::Ipv4Packet packet = std::move(due.packet);
  packet.ip.id = next_tcp_id(false);
  if (auto* seg = packet.tcp();
      seg != nullptr && due.timestamp_offset && *due.timestamp_offset + 6 <= seg->options_raw.size()) {
    put_be32(seg->options_raw, *due.timestamp_offset + 2, tsval);
  }
  return packet;
}

std::vector<wire::Ipv4Packet> Responder::on_tick(Timestamp now) {
  if (!m_retransmissions) return {};
  if (!m_origin) m_origin = now;
  std::vector<wire::Ipv4Packet> out;
  for (DueSynAck& due : m_retransmissions->take_due(now)) out.push_back(resent_copy(std::move(due), now));
  return out;
}

std::optional<Timestamp> Responder::next_wakeup() const {
  return m_retransmissions ? m_retransmissions->next_due() : std::nullopt;
}

RetransmissionStats Responder::retransmission_stats() const {
  return m_retransmissions ? m_retransmissions->stats() : RetransmissionStats{};
}

std::uint32_t Responder::seq_series_isn(std::uint32_t peer, int index, Timestamp now) {
  auto it = m_series.find(peer);
  if (it == m_series.end()) {
    if (m_series.size() >= k_max_series) m_series.erase(m_series.begin());
    it = m_series.emplace(peer, SeqSeries{}).first;
  }
  SeqSeries& s = it->second;
  const auto gap = now - s.last_time;
  const bool continues =
      s.last_index >= 0 && index > s.last_index && gap >= std::chrono::microseconds{0} && gap < std::chrono::seconds{3};
  std::uint32_t isn = 0;
  if (continues) {
    const double dt = static_cast<double>(gap.count()) / 1e6;
    const std::uint64_t k = isn_multiplier(m_personality.isn, s.last_index, index, dt);
    isn = s.last_isn + static_cast<std::uint32_t>(k * m_personality.isn.gcd);
  } else {
    isn = clock_isn(now);
  }
  if (isn == 0) isn = m_personality.isn.gcd == 0 ? 1 : m_personality.isn.gcd;
  s.last_index = index;
  s.last_time = now;
  s.last_isn = isn;
  return isn;
}

std::uint16_t Responder::next_tcp_id(bool closed_port) {
  if (closed_port) return next_ip_id(m_personality.ci, m_closed_counter, m_rng);
  return next_ip_id(m_personality.ti, m_tcp_counter, m_rng);
}

std::uint16_t Responder::next_icmp_id(bool window_start) {
  if (m_personality.shared_tcp_icmp_ids) {
    // Shared counter: the first ICMP reply after the SEQ series steps like a TCP reply (so Nmap's
    // SS test sees one sequence), the following ones step as the II class says.
    const IpIdKind ti = m_personality.ti.kind;
    const bool ti_counts =
        ti == IpIdKind::increments || ti == IpIdKind::broken_increments || ti == IpIdKind::random_increments;
    return next_ip_id(window_start && ti_counts ? m_personality.ti : m_personality.ii, m_tcp_counter, m_rng);
  }
  return next_ip_id(m_personality.ii, m_icmp_counter, m_rng);
}

wire::Ipv4Packet Responder::reply_header(const wire::Ipv4Packet& in, std::uint8_t ttl, bool dont_fragment,
                                         std::uint16_t id) const {
  wire::Ipv4Packet out;
  out.ip.source = m_options.address;
  out.ip.destination = in.ip.source;
  out.ip.ttl = ttl;
  out.ip.dont_fragment = dont_fragment;
  out.ip.id = id;
  return out;
}

std::vector<wire::Ipv4Packet> Responder::respond(const wire::Ipv4Packet& packet, Timestamp now) {
  ++m_stats.received;
  if (!m_origin) m_origin = now;
  if (packet.ip.destination != m_options.address) {
    ++m_stats.not_for_us;
    return {};
  }
  if (packet.ip.is_fragment()) {
    ++m_stats.unsupported;
    return {};
  }
  const auto probe = recognise_probe(packet);
  if (probe) ++m_stats.probes[static_cast<std::size_t>(*probe)];
  std::vector<wire::Ipv4Packet> out;
  if (const auto* tcp = packet.tcp()) {
    out = respond_tcp(packet, *tcp, probe, now);
  } else if (const auto* icmp = packet.icmp()) {
    if (icmp->type != wire::k_icmp_echo_request) {
      ++m_stats.unsupported;
      return {};
    }
    out = respond_echo(packet, *icmp, probe);
  } else if (packet.udp() != nullptr) {
    out = respond_udp(packet);
  } else {
    ++m_stats.unsupported;
    return {};
  }
  if (out.empty()) {
    ++m_stats.silent;
  } else {
    ++m_stats.answered;
    if (!probe) ++m_stats.generic;
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> Responder::respond_to_bytes(std::span<const std::uint8_t> bytes, Timestamp now) {
  const auto packet = wire::parse_ipv4(bytes);
  if (!packet) {
    ++m_stats.received;
    ++m_stats.malformed;
    return {};
  }
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& reply : respond(*packet, now)) out.push_back(wire::serialize(reply));
  return out;
}

std::vector<wire::Ipv4Packet> Responder::respond_tcp(const wire::Ipv4Packet& in, const wire::TcpSegment& tcp,
                                                     std::optional<ProbeId> probe, Timestamp now) {
  // The peer's reset or acknowledgment ends a half-open connection's retransmissions.
  if (m_retransmissions && !tcp.has_flags(wire::k_tcp_syn) &&
      (tcp.has_flags(wire::k_tcp_rst) || tcp.has_flags(wire::k_tcp_ack))) {
    (void)m_retransmissions->stop(in.ip.source, tcp.source_port, tcp.destination_port, now);
  }
  // Nobody answers a reset (RFC 9293), and the scanner's kernel sends plenty of them.
  if (tcp.has_flags(wire::k_tcp_rst)) return {};
  // The SYN of a pending connection again: its SYN/ACK again, same ISN, or nothing when the model
  // holds the repeat back (docs/emulator-timing.md "The same SYN again").
  if (m_retransmissions && tcp.has_flags(wire::k_tcp_syn) && !tcp.has_flags(wire::k_tcp_ack)) {
    auto again = m_retransmissions->repeat(in.ip.source, tcp.source_port, tcp.destination_port, tcp.sequence, now);
    if (again.outcome == RepeatedSyn::Outcome::held_back) return {};
    if (again.syn_ack) return {resent_copy(std::move(*again.syn_ack), now)};
  }
  const Personality& p = m_personality;
  const bool open = is_open(tcp.destination_port);
  const TcpBehaviour* b = nullptr;
  std::optional<int> seq_index;
  // A recognised probe gets its own answer whatever the port: Nmap sends T5-T7 to whatever port
  // looked closed, which is one of our "open" ports when the reference answers SYNs with a reset.
  if (probe) {
    if (probes::is_seq_probe(*probe)) {
      seq_index = static_cast<int>(*probe);
      b = &p.seq[static_cast<std::size_t>(*seq_index)];
    } else if (*probe == ProbeId::ECN) {
      b = &p.ecn;
    } else if (*probe >= ProbeId::T2 && *probe <= ProbeId::T7) {
      b = &p.t[static_cast<std::size_t>(*probe) - static_cast<std::size_t>(ProbeId::T1)];
    }
  }
  if (b == nullptr) {
    // Not an OS probe (a port scan, a connection attempt): answer as the probe of the same kind.
    const bool syn = tcp.has_flags(wire::k_tcp_syn);
    const bool ack = tcp.has_flags(wire::k_tcp_ack);
    if (open)
      b = syn && !ack ? &p.t[0] : ack && !syn ? &p.t[3] : &p.t[1];
    else
      b = syn && !ack ? &p.t[4] : ack && !syn ? &p.t[5] : &p.t[6];
  }
  if (!b->responds) return {};

  // IP ID sample windows start at SEQ1 (TI, and II when shared) and T5 (CI).
  // IP ID streams follow the probe's role (T5-T7: the closed-port stream, CI), else the port.
  const bool closed_stream = probe ? (*probe >= ProbeId::T5 && *probe <= ProbeId::T7) : !open;
  if (probe == ProbeId::SEQ1) rebase_ip_id_counter(p.ti, m_tcp_counter, m_rng);
  if (probe == ProbeId::T5) rebase_ip_id_counter(p.ci, m_closed_counter, m_rng);

  wire::Ipv4Packet out = reply_header(in, b->ttl, b->dont_fragment, next_tcp_id(closed_stream));
  out.ip.protocol = wire::k_ip_protocol_tcp;
  wire::TcpSegment seg;
  seg.source_port = tcp.destination_port;
  seg.destination_port = tcp.source_port;
  seg.flags = b->flags;
  seg.window = b->window;
  seg.reserved = b->reserved;
  seg.urgent_pointer = b->urgent_pointer;
  switch (b->seq) {
  case SeqRule::zero: seg.sequence = 0; break;
  case SeqRule::probe_ack: seg.sequence = tcp.acknowledgment; break;
  case SeqRule::probe_ack_plus_1: seg.sequence = tcp.acknowledgment + 1; break;
  case SeqRule::other: {
    std::uint32_t isn = seq_index ? seq_series_isn(in.ip.source, *seq_index, now) : clock_isn(now);
    // "O" must not read as Z, A or A+ (only off series: a series keeps its arithmetic).
    if (!seq_index) {
      while (isn == 0 || isn == tcp.acknowledgment || isn == tcp.acknowledgment + 1) isn += 0x10001U;
    }
    seg.sequence = isn;
    break;
  }
  }
  switch (b->ack) {
  case AckRule::zero: seg.acknowledgment = 0; break;
  case AckRule::probe_seq: seg.acknowledgment = tcp.sequence; break;
  case AckRule::probe_seq_plus_1: seg.acknowledgment = tcp.sequence + 1; break;
  case AckRule::other: {
    std::uint32_t ack = tcp.sequence + 0x01000193U;
    if (ack == 0) ack = 0x193;
    seg.acknowledgment = ack;
    break;
  }
  }
  seg.options_raw = b->options.bytes;
  if (b->options.timestamp_offset) {
    const std::size_t at = *b->options.timestamp_offset;
    const std::uint32_t tsval = b->options.tsval_nonzero ? clock_tsval(now) : 0;
    std::uint32_t tsecr = 0;
    if (b->options.tsecr_nonzero) {
      tsecr = probe_tsval(tcp).value_or(1);
      if (tsecr == 0) tsecr = 1;
    }
    put_be32(seg.options_raw, at + 2, tsval);
    put_be32(seg.options_raw, at + 6, tsecr);
  }
  if (seg.has_flags(wire::k_tcp_rst)) seg.payload = b->rst_payload;
  // A SYN/ACK to a SYN on an open port opens a half-open connection the stack retransmits for.
  const bool half_open = open && tcp.has_flags(wire::k_tcp_syn) && !tcp.has_flags(wire::k_tcp_ack) &&
                         seg.has_flags(wire::k_tcp_syn) && seg.has_flags(wire::k_tcp_ack);
  out.payload = std::move(seg);
  if (m_retransmissions && half_open) {
    m_retransmissions->add(out, now, b->options.tsval_nonzero ? b->options.timestamp_offset : std::nullopt);
  }
  return {std::move(out)};
}

std::vector<wire::Ipv4Packet> Responder::respond_echo(const wire::Ipv4Packet& in, const wire::IcmpMessage& icmp,
                                                      std::optional<ProbeId> probe) {
  const EchoBehaviour& e = m_personality.ie;
  if (!e.responds) return {};
  if (probe == ProbeId::IE1) {
    if (m_personality.shared_tcp_icmp_ids) {
      // The shared counter was rebased at SEQ1; nothing to do.
    } else {
      rebase_ip_id_counter(m_personality.ii, m_icmp_counter, m_rng);
      // SS=O: Nmap calls the sequences separate when the first II is at least 3 average TCP steps
      // past the last TI, so keep the ICMP counter well above the TCP one.
      if (m_icmp_counter < m_tcp_counter + 12000U && m_tcp_counter + 12000U < 60000U) {
        m_icmp_counter = m_tcp_counter + 12000U;
      }
    }
  }
  const bool first_kind = probe ? *probe == ProbeId::IE1 : in.ip.dont_fragment;
  wire::Ipv4Packet out =
      reply_header(in, e.ttl, first_kind ? e.dont_fragment_1 : e.dont_fragment_2, next_icmp_id(probe == ProbeId::IE1));
  out.ip.protocol = wire::k_ip_protocol_icmp;
  wire::IcmpMessage reply = wire::make_echo_reply(icmp);
  const std::optional<std::uint8_t> code = first_kind ? e.code_1 : e.code_2;
  if (code) reply.code = *code;
  out.payload = std::move(reply);
  return {std::move(out)};
}

std::vector<wire::Ipv4Packet> Responder::respond_udp(const wire::Ipv4Packet& in) {
  const UdpBehaviour& u = m_personality.u1;
  if (!u.responds) return {};
  // The datagram as received (same bytes: parse/serialise round-trips exactly with keep_all).
  std::vector<std::uint8_t> quote = wire::serialize(in, wire::SerializeOptions::keep_all());
  const std::size_t ihl = in.ip.header_length();
  if (u.quoted_total_length) put_be16(quote, 2, *u.quoted_total_length);
  if (m_personality.quoted_ttl_bias > 0 && quote.size() > 8 && quote[8] > m_personality.quoted_ttl_bias) {
    quote[8] = static_cast<std::uint8_t>(quote[8] - m_personality.quoted_ttl_bias);
  }
  if (u.quoted_id) put_be16(quote, 4, *u.quoted_id);
  if (u.quoted_udp_checksum) put_be16(quote, ihl + 6, *u.quoted_udp_checksum);
  if (u.corrupt_data && quote.size() > ihl + 8) quote[ihl + 8] = 0x00;
  // RIPCK: Nmap recomputes the checksum over the first 20 quoted bytes with the field zeroed.
  put_be16(quote, 10, 0);
  std::uint16_t good = 0;
  if (quote.size() >= 20) good = internet_checksum(std::span<const std::uint8_t>(quote.data(), 20));
  switch (u.quoted_checksum) {
  case QuotedChecksum::good: put_be16(quote, 10, good); break;
  case QuotedChecksum::zero: put_be16(quote, 10, 0); break;
  case QuotedChecksum::invalid:
    put_be16(quote, 10, static_cast<std::uint16_t>(good == 0x5A5A ? 0x1234 : good ^ 0x5A5AU));
    break;
  }
  // IPL: the quote is cut or padded (with 'C', which RUD accepts) to the reference's length.
  const std::size_t quote_length = u.total_length > 28 ? u.total_length - 28U : 0U;
  quote.resize(quote_length, 0x43);
  wire::Ipv4Packet out = reply_header(in, u.ttl, u.dont_fragment, next_icmp_id(false));
  out.ip.protocol = wire::k_ip_protocol_icmp;
  wire::IcmpMessage icmp;
  icmp.type = wire::k_icmp_destination_unreachable;
  icmp.code = wire::k_icmp_code_port_unreachable;
  icmp.rest_of_header = u.unused;
  icmp.payload = std::move(quote);
  out.payload = std::move(icmp);
  return {std::move(out)};
}

} // namespace stackprint::emulation
