#include "stackprint/engine/host_os_scan.hpp"

#include <algorithm>
#include <cmath>

#include "stackprint/base/random_source.hpp"
#include "stackprint/response_tests/ip_id.hpp"
#include "stackprint/responses/round_analysis.hpp"

namespace stackprint::engine {
namespace {

using probes::ProbeId;

constexpr std::uint32_t k_port_base_low = draws::k_magic_port_low;
constexpr std::uint16_t k_ports_per_base = 20; // SEQ1..T7 use base+0..base+19

std::size_t index_of(ProbeId id) { return static_cast<std::size_t>(id); }

// `base` moved off `taken` when base .. base+19 would include it (the port scan's source port).
std::uint16_t clear_of(std::uint16_t base, std::optional<std::uint16_t> taken) {
  if (!taken || *taken < base || *taken >= base + k_ports_per_base) return base;
  if (*taken + 1U + k_ports_per_base <= 65535U) return static_cast<std::uint16_t>(*taken + 1U);
  return static_cast<std::uint16_t>(*taken - k_ports_per_base);
}

// Probes answered with ICMP (echo reply, port unreachable): the ones an ICMP rate limit drops.
bool answered_with_icmp(ProbeId id) { return id == ProbeId::IE1 || id == ProbeId::IE2 || id == ProbeId::U1; }

// A silent probe counts as deliberately silent once this many sends in a row could all have been
// lost with at most this probability, given the host's estimated loss.
constexpr double k_silence_confidence = 1e-3;

} // namespace

HostOsScan::HostOsScan(HostTarget target, const OsScanConfig& config, std::uint64_t seed, Instant start,
                       Timestamp wall_start)
    : m_target(target), m_config(config), m_random(seed), m_deadline(start + config.host_timeout), m_next_action(start),
      m_now(start) {
  // Nmap's magic port, then a random offset for each base (base/random_source.hpp).
  const std::uint16_t magic = draws::magic_port(m_random());
  m_tcp_port_base =
      clear_of(static_cast<std::uint16_t>(magic + draws::port_base_offset(m_random())), m_target.port_scan_source_port);
  m_udp_port_base = static_cast<std::uint16_t>(magic + draws::port_base_offset(m_random()));
  start_round(start, wall_start, RoundKind::full);
  // The host was handed over when its port scan ended (its last discovery reply): its first OS
  // probe keeps Nmap's distance from that, as a stack whose ISN or timestamp clock runs only
  // while a connection exists reads differently otherwise (ARCHITECTURE.md, engine timing).
  m_next_action = std::max(m_next_action, start + m_config.discovery_gap +
                                              (m_target.udp_port_scanned ? m_config.udp_scan_gap : Duration{}));
}

double HostOsScan::estimated_loss() const {
  // Laplace-smoothed share of lost sends: no evidence gives a small value, not zero.
  return (static_cast<double>(m_lost_sends) + 0.5) / (static_cast<double>(m_lost_sends + m_answered_probes) + 1.0);
}

int HostOsScan::max_sends() const {
  if (!m_config.resend_only_missing || !m_config.adaptive_sends) { return m_config.max_tui_sends; }
  // DIVERGENCE(nmap): Nmap gives every TUI probe 4 sends. Under loss that turns a lost reply into a
  // wrong R=N often enough to change the match (30% loss: 0.3^4 per probe, ~10% of hosts), so a
  // host that has shown loss gets more sends, until a silence is unlikely to be bad luck.
  // A host that has answered no OS probe and lost no SEQ reply yet gives no evidence of loss (a
  // host that drops every IP packet, up only by ARP, is one): Nmap's count until something does.
  if (m_answered_probes == 0 && m_lost_sends == 0) { return m_config.max_tui_sends; }
  const double loss = estimated_loss();
  int sends = m_config.max_tui_sends;
  while (sends < m_config.max_tui_sends_under_loss && std::pow(loss, sends) > k_silence_confidence) { ++sends; }
  return sends;
}

response_tests::PortKnowledge HostOsScan::port_knowledge() const {
  return {m_target.open_tcp_port.has_value(), m_target.closed_tcp_known};
}

Duration HostOsScan::timeout() const {
  const Duration estimate = m_srtt ? *m_srtt + 4 * m_rttvar : m_target.initial_timeout;
  return std::clamp(estimate, m_config.min_timeout, m_config.max_timeout);
}

void HostOsScan::record_rtt(Duration sample) {
  // RFC 6298 smoothing, as Nmap's timing code does.
  if (!m_srtt) {
    m_srtt = sample;
    m_rttvar = sample / 2;
    return;
  }
  const Duration delta = sample > *m_srtt ? sample - *m_srtt : *m_srtt - sample;
  m_rttvar = (3 * m_rttvar + delta) / 4;
  m_srtt = (7 * *m_srtt + sample) / 8;
}

void HostOsScan::start_round(Instant now, Timestamp wall_now, RoundKind kind) {
  const bool train = kind != RoundKind::full && !m_rounds.empty();
  if (m_round > 0) {
    const auto move = [](std::uint16_t base) {
      std::uint32_t next = base + 256U;
      if (next + k_ports_per_base > 65535U) {
        next = k_port_base_low + (next - k_port_base_low) % (65535U - k_ports_per_base - k_port_base_low);
      }
      return static_cast<std::uint16_t>(next);
    };
    // A round that sends no SEQ train keeps the ports its carried-over SEQ replies came to.
    if (!train || m_next_sends_seq) {
      m_tcp_port_base = clear_of(move(m_tcp_port_base), m_target.port_scan_source_port);
    }
    // A train round sends no U1 and reuses the carried-over U1 reply, whose checks (RUCK) are made
    // against the U1 probe of the same UDP source port.
    if (!train) { m_udp_port_base = move(m_udp_port_base); }
  }
  ++m_round;
  m_kind = train ? kind : RoundKind::full;
  m_round_sends_seq = !train || m_next_sends_seq;
  m_round_sends_echo = !train || m_next_sends_echo;
  m_round_sends_closed = train && m_next_sends_closed;
  if (train) {
    // Same ISN base, ACK value and U1 TTL as the round whose tests are carried over (the T and U1
    // tests are judged against them); new TCP source ports and echo id, so that late replies to
    // the old train and echo pair cannot fill the new ones.
    m_context = m_rounds.back().context;
    m_context.tcp_port_base = m_tcp_port_base;
    m_context.icmp_echo_id = draws::echo_id(m_random());
    ++m_train_rounds;
  } else {
    m_context = probes::ProbeContext{};
    m_context.source_address = m_config.source_address;
    m_context.target_address = m_target.address;
    m_context.open_tcp_port = m_target.open_tcp_port.value_or(0);
    m_context.closed_tcp_port = m_target.closed_tcp_port;
    m_context.closed_udp_port = m_target.closed_udp_port;
    m_context.tcp_port_base = m_tcp_port_base;
    m_context.udp_port_base = m_udp_port_base;
    m_context.tcp_seq_base = draws::sequence_number(m_random());
    m_context.tcp_ack = draws::sequence_number(m_random());
    m_context.icmp_echo_id = draws::echo_id(m_random());
    m_context.udp_ttl = draws::udp_probe_ttl(m_random());
  }
  // The SYN/ACKs seen in earlier rounds make their late copies retransmissions in this one.
  std::vector<responses::SeenSynAck> seen;
  if (m_collector) { seen = m_collector->seen_syn_acks(); }
  m_collector.emplace(m_context, std::chrono::duration_cast<std::chrono::microseconds>(timeout()));
  m_collector->track_retransmissions(std::move(seen));
  m_round_wall_start = wall_now;
  m_seq_sent = 0;
  m_tui.clear();
  m_echo_ip_id.reset();
  m_last_send_at.fill(std::nullopt);
  m_send_count.fill(0);
  // A try's first SEQ probe keeps its gap from the last probe of the try before, as Nmap's does:
  // without a scan delay the pause between tries is longer anyway, with one it is not.
  m_next_action = m_last_send ? std::max(now, *m_last_send + m_config.seq_gap) : now;
  if (m_target.open_tcp_port && m_round_sends_seq) {
    m_phase = Phase::seq;
  } else {
    begin_tui(now);
  }
}

void HostOsScan::send(ProbeId id, Instant now, Timestamp wall_now, std::vector<OutgoingPacket>& out) {
  probes::PacketValues values;
  values.ip_id = draws::probe_ip_id(m_random());
  // DIVERGENCE(nmap): the second echo probe's IP ID keeps a random-looking distance from the
  // first's. Stacks such as lwIP copy the request's IP ID into the echo reply, so II reads the two
  // probe IDs: Nmap's independent draws leave II out, or read BI or I, in about 2 runs of 100.
  if (id == ProbeId::IE1) { m_echo_ip_id = values.ip_id; }
  if (id == ProbeId::IE2 && m_echo_ip_id) { values.ip_id = draws::echo_pair_ip_id(*m_echo_ip_id, values.ip_id); }
  values.ttl = m_config.ttl ? *m_config.ttl : draws::probe_ttl(m_random());
  out.push_back(OutgoingPacket{m_target.address, id, probes::probe_bytes(id, m_context, values)});
  m_collector->on_probe_sent(id, wall_now);
  m_last_send = now;
  m_last_send_at[index_of(id)] = now;
  ++m_send_count[index_of(id)];
  ++m_packets_sent;
}

bool HostOsScan::answered(ProbeId id) const {
  const auto& r = m_collector->replies();
  if (probes::is_seq_probe(id)) { return r.seq[index_of(id)].has_value(); }
  if (probes::is_ops_resend(id)) { return r.ops_win[static_cast<std::size_t>(*probes::seq_index(id))].has_value(); }
  switch (id) {
  case ProbeId::ECN: return r.ecn.has_value();
  case ProbeId::IE1: return r.echo[0].has_value();
  case ProbeId::IE2: return r.echo[1].has_value();
  case ProbeId::U1: return r.u1.has_value();
  default: return r.t[index_of(id) - index_of(ProbeId::T1)].has_value();
  }
}

void HostOsScan::begin_tui(Instant now) {
  m_phase = Phase::tui;
  if (m_target.open_tcp_port && m_round_sends_seq) { count_lost_seq_slots(); }
  const auto& r = m_collector->replies();
  std::vector<ProbeId> order;
  if (m_kind != RoundKind::full) {
    // A train round: the echo pair again (for II and SS, which compare its IP IDs with the
    // train's), unless the host never answered echo requests; everything else is carried over.
    const auto& base = m_rounds.back().replies;
    if (m_round_sends_echo && (base.echo[0] || base.echo[1])) { order = {ProbeId::IE1, ProbeId::IE2}; }
    if (m_round_sends_closed) { order.insert(order.end(), {ProbeId::T5, ProbeId::T6, ProbeId::T7}); }
  } else {
    order = {ProbeId::IE1, ProbeId::IE2, ProbeId::U1};
    if (m_target.open_tcp_port) {
      for (std::size_t i = 0; i < 6; ++i) {
        if (!r.ops_win[i]) { order.push_back(static_cast<ProbeId>(index_of(ProbeId::OPS1) + i)); }
      }
      order.push_back(ProbeId::ECN);
      if (!r.t[0]) { order.push_back(ProbeId::T1); }
      order.insert(order.end(), {ProbeId::T2, ProbeId::T3, ProbeId::T4});
    }
    order.insert(order.end(), {ProbeId::T5, ProbeId::T6, ProbeId::T7});
  }
  for (const ProbeId id : order) {
    TuiProbe probe;
    probe.id = id;
    m_tui.push_back(probe);
  }
  const Instant earliest = m_last_send ? *m_last_send + m_config.tui_gap : now;
  m_next_action = std::max(now, earliest);
}

void HostOsScan::count_lost_seq_slots() {
  // A SEQ probe with no packet at all on its port was lost (a RST or a rejected SYN/ACK is an
  // answer, not loss).
  m_lost_sends += static_cast<std::uint64_t>(train_health(m_collector->replies()).seq_slots_lost());
}

TrainHealth HostOsScan::train_health(const responses::RoundReplies& replies) const {
  TrainHealth health;
  if (m_target.open_tcp_port) {
    for (std::size_t i = 0; i < 6; ++i) {
      const auto& any = replies.ops_win[i];
      const wire::TcpSegment* tcp = any ? any->packet.tcp() : nullptr;
      const bool on_seq_port = tcp != nullptr && tcp->destination_port == m_context.tcp_port_base + i;
      // A SYN/ACK that came only after the probe's timeout, or that repeats an ISN already seen
      // on its port, is the target's retransmission: the probe's reply was lost, whatever arrived
      // later.
      const bool late = ((replies.seq_late | replies.seq_retransmitted) & (1U << i)) != 0;
      if (!replies.seq[i] && (!on_seq_port || late)) {
        health.lost_seq_slots = static_cast<std::uint8_t>(health.lost_seq_slots | (1U << i));
      }
    }
  }
  // CI takes the T5, T6, T7 replies' IP IDs in probe order; a stack with one counter numbers them
  // in the order it answered. When a re-sent probe was answered after a later probe's reply and the
  // order changes the class CI reads (a backward step reads RD), the triple is broken; a stack
  // whose IDs are zero or random reads the same either way.
  {
    std::vector<std::pair<Timestamp, std::uint32_t>> arrived;
    std::vector<std::uint32_t> in_probe_order;
    bool resent = false;
    for (std::size_t i = 4; i < 7; ++i) {
      if (!replies.t[i]) { continue; }
      resent = resent || replies.sends[index_of(ProbeId::T1) + i] > 1;
      arrived.emplace_back(replies.t[i]->time, replies.t[i]->packet.ip.id);
      in_probe_order.push_back(replies.t[i]->packet.ip.id);
    }
    if (resent) {
      std::stable_sort(arrived.begin(), arrived.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<std::uint32_t> in_arrival_order(arrived.size());
      std::transform(arrived.begin(), arrived.end(), in_arrival_order.begin(), [](const auto& a) { return a.second; });
      health.closed_triple_broken =
          response_tests::classify_ci(in_probe_order, false) != response_tests::classify_ci(in_arrival_order, false);
    }
  }
  // Nmap uses an echo reply's IP ID for II only when its probe had not been re-sent: a pair
  // completed by a re-send has no II (and so no SS). A pair that stayed silent is a silence.
  for (std::size_t i = 0; i < 2; ++i) {
    if (replies.echo[i] && replies.echo_reply_after_retransmission[i] && !icmp_rate_limited()) {
      health.echo_after_resend = static_cast<std::uint8_t>(health.echo_after_resend | (1U << i));
    }
  }
  return health;
}

responses::RoundReplies HostOsScan::composed_replies() const {
  responses::RoundReplies r = m_collector->replies();
  if (m_kind == RoundKind::full || m_rounds.empty()) { return r; }
  const responses::RoundReplies& base = m_rounds.back().replies;
  if (!m_round_sends_seq) {
    r.seq_send_times = base.seq_send_times;
    r.seq = base.seq;
    r.seq_arrival_order = base.seq_arrival_order;
    r.seq_late = base.seq_late;
    r.seq_retransmitted = base.seq_retransmitted;
  }
  for (std::size_t i = 0; i < 6; ++i) {
    if (!r.ops_win[i]) { r.ops_win[i] = base.ops_win[i]; }
  }
  r.ecn = base.ecn;
  if (!r.t[0]) { r.t[0] = base.t[0]; }
  // T5-T7 come from this round when it re-sent them (as one triple, for CI).
  const std::size_t carried_t_end = m_round_sends_closed ? 4 : r.t.size();
  for (std::size_t i = 1; i < carried_t_end; ++i) { r.t[i] = base.t[i]; }
  r.u1 = base.u1;
  if (r.sends[index_of(ProbeId::IE1)] == 0 && r.sends[index_of(ProbeId::IE2)] == 0) {
    r.echo = base.echo;
    r.echo_reply_after_retransmission = base.echo_reply_after_retransmission;
  }
  for (std::size_t i = 0; i < r.sends.size(); ++i) {
    if (r.sends[i] == 0) { r.sends[i] = base.sends[i]; }
  }
  r.unmatched_packets += base.unmatched_packets;
  r.duplicate_packets += base.duplicate_packets;
  return r;
}

Duration HostOsScan::retry_wait(const TuiProbe& probe, Duration probe_timeout) const {
  if (!m_config.resend_only_missing || m_config.icmp_retry_spacing <= Duration::zero() ||
      !answered_with_icmp(probe.id) || probe.sends < 2) {
    return probe_timeout;
  }
  // DIVERGENCE(nmap): an ICMP-answered probe that went unanswered twice while another ICMP answer
  // came from the same host is probably rate limited (Linux sends one port unreachable per second
  // and host): its next sends wait the limit out instead of being spent inside the same second.
  return icmp_answered() ? std::max(probe_timeout, m_config.icmp_retry_spacing) : probe_timeout;
}

bool HostOsScan::waits_for_earlier_closed_probe(const TuiProbe& probe) const {
  if (!m_round_sends_closed || probe.id < ProbeId::T5 || probe.id > ProbeId::T7) { return false; }
  return std::any_of(m_tui.begin(), m_tui.end(), [&](const TuiProbe& other) {
    return other.id >= ProbeId::T5 && other.id < probe.id && !other.finished && !answered(other.id);
  });
}

bool HostOsScan::icmp_answered() const {
  const auto& r = m_collector->replies();
  return r.echo[0] || r.echo[1] || r.u1;
}

void HostOsScan::end_host(HostEnd end) {
  m_end = end;
  m_phase = Phase::done;
}

void HostOsScan::finish_round(Instant now, const RoundJudge& judge) {
  responses::RoundReplies replies = composed_replies();
  TrainHealth health = train_health(replies);
  if (m_round_sends_closed) {
    // A probe of the re-sent triple that stayed silent although the round before had its answer
    // was lost every time: R=N would be wrong, and an old answer among new ones out of order. The
    // old triple stays (still broken, so a later train round may send it again).
    const responses::RoundReplies& base = m_rounds.back().replies;
    bool lost_an_answer = false;
    for (std::size_t i = 4; i < 7; ++i) { lost_an_answer = lost_an_answer || (!replies.t[i] && base.t[i]); }
    if (lost_an_answer) {
      for (std::size_t i = 4; i < 7; ++i) {
        replies.t[i] = base.t[i];
        replies.sends[index_of(ProbeId::T1) + i] = base.sends[index_of(ProbeId::T1) + i];
      }
      health = train_health(replies);
      health.closed_triple_broken = true;
    }
  }
  if (m_kind == RoundKind::train_repair && m_last_health && health.badness() > m_last_health->badness()) {
    // The new train came through worse than the one it was to repair: keep the old round. A closed
    // triple this round re-sent in order still replaces a reordered one (CI reads nothing else).
    if (m_round_sends_closed && m_last_health->closed_triple_broken && !health.closed_triple_broken) {
      responses::RoundReplies& old = m_rounds.back().replies;
      for (std::size_t i = 4; i < 7; ++i) {
        old.t[i] = replies.t[i];
        old.sends[index_of(ProbeId::T1) + i] = replies.sends[index_of(ProbeId::T1) + i];
      }
      m_last_health = train_health(old);
    }
  } else if (m_kind == RoundKind::train_repair) {
    m_rounds.back() = CompletedRound{m_context, std::move(replies), m_round_wall_start};
    m_last_health = health;
  } else {
    m_rounds.push_back(CompletedRound{m_context, std::move(replies), m_round_wall_start});
    m_last_health = health;
  }
  const CompletedRound& kept = m_rounds.back();
  responses::RoundConditions conditions;
  conditions.ports = port_knowledge();
  conditions.scan_delay_ms = m_config.scan_delay_ms;
  const auto analysis = responses::analyze_round(kept.replies, kept.context, conditions);
  std::set<std::string> missing;
  for (std::size_t i = 0; i < 6 && m_target.open_tcp_port; ++i) {
    if (!kept.replies.seq[i]) { missing.insert(std::string(probes::probe_name(static_cast<ProbeId>(i)))); }
  }
  for (const TuiProbe& probe : m_tui) {
    if (!answered(probe.id)) { missing.insert(std::string(probes::probe_name(probe.id))); }
  }
  m_missing_per_round.push_back(missing);

  const RoundVerdict verdict = judge ? judge(analysis.fingerprint) : RoundVerdict::no_perfect_match;
  if (verdict == RoundVerdict::perfect_match) {
    end_host(HostEnd::perfect_match);
    return;
  }
  // A scan delay above 500 ms is one of Nmap's not-ideal reasons too (docs/nmap-behaviour.md 5.2).
  const bool not_ideal = m_target.conditions_not_ideal || responses::scan_delay_is_not_ideal(m_config.scan_delay_ms);
  const int limit = not_ideal ? std::min(m_config.max_os_tries, m_config.non_ideal_max_tries) : m_config.max_os_tries;
  if (m_round >= limit) {
    end_host(HostEnd::tries_exhausted);
    return;
  }
  if (m_config.resend_only_missing) {
    if (!m_last_health->valid()) {
      // Loss broke the train: a new train, unless the last one lost the same SEQ replies (then it
      // is the host's behaviour, not loss).
      if (m_last_defect && *m_last_defect == health && health.lost_seq_slots != 0) {
        end_host(HostEnd::stable);
        return;
      }
      m_last_defect = health;
      m_next_kind = RoundKind::train_repair;
      // The train and the echo pair are repaired apart when SS cannot exist (the SEQ replies' IP
      // IDs are not a counter SS compares, so the pair need not follow the train).
      const fingerprint::TestLine* seq_line = analysis.fingerprint.find("SEQ");
      const std::string* ti = seq_line != nullptr ? seq_line->find("TI") : nullptr;
      const bool ss_possible = ti == nullptr || *ti == "I" || *ti == "BI" || *ti == "RI";
      // Only the closed triple broken: the train and echo pair are sound and stay.
      const bool train_sound = m_last_health->seq_ok() && !m_last_health->echo_pair_broken();
      m_next_sends_seq = !train_sound && (ss_possible || !m_last_health->seq_ok());
      m_next_sends_echo = !train_sound && (ss_possible || m_last_health->echo_pair_broken()) && !icmp_rate_limited();
      m_next_sends_closed = m_last_health->closed_triple_broken;
    } else if (verdict == RoundVerdict::missed_only_on_timing && m_config.retry_timing_misses) {
      // DIVERGENCE(nmap): Nmap re-runs every probe and may hit a perfect match by luck when only
      // SP/GCD/ISR kept it from one; a new SEQ train (and echo pair) is all that can change them.
      m_next_kind = RoundKind::train_retry;
      m_next_sends_seq = true;
      m_next_sends_closed = false;
      // Behind an ICMP rate limit a new pair would lose its second reply again and only wait the
      // limit out once more; the pair already held is kept.
      m_next_sends_echo = !icmp_rate_limited();
    } else {
      end_host(HostEnd::complete);
      return;
    }
    m_phase = Phase::between_rounds;
    m_next_action = now + m_config.round_gap;
    return;
  }
  const bool seq_complete = !m_target.open_tcp_port || std::all_of(kept.replies.seq.begin(), kept.replies.seq.end(),
                                                                   [](const auto& r) { return r.has_value(); });
  if (m_config.stop_when_complete && seq_complete) {
    end_host(HostEnd::complete);
    return;
  }
  if (m_config.stop_when_stable && m_missing_per_round.size() >= 2 &&
      m_missing_per_round[m_missing_per_round.size() - 2] == missing) {
    end_host(HostEnd::stable);
    return;
  }
  m_next_kind = RoundKind::full;
  m_phase = Phase::between_rounds;
  m_next_action = now + m_config.round_gap;
}

void HostOsScan::tick(Instant now, Timestamp wall_now, std::size_t& budget, std::vector<OutgoingPacket>& out,
                      const RoundJudge& judge) {
  if (m_phase == Phase::done) { return; }
  m_now = std::max(m_now, now);
  if (now >= m_deadline) {
    // A half-run train round is dropped: the round it was to repair is complete.
    if (m_phase != Phase::between_rounds && m_kind != RoundKind::train_repair) {
      m_rounds.push_back(CompletedRound{m_context, composed_replies(), m_round_wall_start});
    }
    end_host(HostEnd::host_timeout);
    return;
  }
  if (m_phase == Phase::between_rounds) {
    if (now < m_next_action) { return; }
    start_round(now, wall_now, m_next_kind);
  }
  if (m_phase == Phase::seq) {
    if (m_seq_sent < 6 && now >= m_next_action && budget > 0) {
      send(static_cast<ProbeId>(m_seq_sent), now, wall_now, out);
      --budget;
      ++m_seq_sent;
      m_next_action = now + m_config.seq_gap;
      if (m_seq_sent == 6) {
        m_phase = Phase::seq_wait;
        m_next_action = now + timeout();
      }
    }
    return;
  }
  if (m_phase == Phase::seq_wait) {
    bool all = true;
    for (int i = 0; i < 6; ++i) { all = all && answered(static_cast<ProbeId>(i)); }
    if (!all && now < m_next_action) { return; }
    begin_tui(now);
  }
  // TUI phase.
  const Duration probe_timeout = timeout();
  const int sends_allowed = max_sends();
  std::size_t in_flight = 0;
  bool all_finished = true;
  for (TuiProbe& probe : m_tui) {
    if (probe.finished) { continue; }
    if (answered(probe.id)) {
      probe.finished = true;
      continue;
    }
    if (probe.last_send && now < *probe.last_send + probe_timeout) {
      ++in_flight;
    } else if (probe.sends >= sends_allowed) {
      probe.finished = true;
      continue;
    }
    all_finished = false;
  }
  if (all_finished) {
    finish_round(now, judge);
    return;
  }
  if (now < m_next_action || budget == 0 || in_flight >= m_config.window) { return; }
  for (TuiProbe& probe : m_tui) {
    const bool due = !probe.finished && !waits_for_earlier_closed_probe(probe) &&
                     (!probe.last_send || now >= *probe.last_send + retry_wait(probe, probe_timeout));
    if (due) {
      send(probe.id, now, wall_now, out);
      --budget;
      ++probe.sends;
      probe.last_send = now;
      m_next_action = now + m_config.tui_gap;
      return;
    }
  }
}

void HostOsScan::on_sent(ProbeId id, Instant now, Timestamp wall_now) {
  if (!m_collector || m_phase == Phase::done) { return; }
  m_collector->on_probe_left(id, wall_now);
  if (auto& last = m_last_send_at[index_of(id)]; last && *last <= now) { last = now; }
}

void HostOsScan::on_reply(responses::Reply reply, Instant now) {
  if (!m_collector || m_phase == Phase::done) { return; }
  m_now = std::max(m_now, now);
  const auto useful = m_collector->on_reply(std::move(reply));
  if (!useful) { return; }
  const int sends = m_send_count[index_of(*useful)];
  ++m_answered_probes;
  if (sends > 1) { m_lost_sends += static_cast<std::uint64_t>(sends - 1); }
  if (sends > 2 && answered_with_icmp(*useful)) { ++m_icmp_slow_answers; }
  if (sends == 1 && m_last_send_at[index_of(*useful)]) {
    record_rtt(now - *m_last_send_at[index_of(*useful)]);
    m_collector->set_seq_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout()));
  }
}

std::optional<Instant> HostOsScan::next_wakeup() const {
  if (m_phase == Phase::done) { return std::nullopt; }
  Instant wake = m_deadline;
  switch (m_phase) {
  case Phase::seq:
  case Phase::seq_wait:
  case Phase::between_rounds: wake = std::min(wake, m_next_action); break;
  case Phase::tui: {
    // In-flight probes wake us at their timeout; timed-out ones at their re-send time; unsent (or
    // due) ones at the next send slot, but only while the window has room (otherwise a freed slot
    // comes with a reply or a timeout). Only future times count, so a blocked send never asks to
    // be woken at once.
    const Duration probe_timeout = timeout();
    std::size_t in_flight = 0;
    bool waiting_to_send = false;
    for (const TuiProbe& probe : m_tui) {
      if (probe.finished || waits_for_earlier_closed_probe(probe)) { continue; }
      if (!probe.last_send) {
        waiting_to_send = true;
        continue;
      }
      const Instant timeout_at = *probe.last_send + probe_timeout;
      if (timeout_at > m_now) {
        wake = std::min(wake, timeout_at);
        ++in_flight;
        continue;
      }
      const Instant resend_at = *probe.last_send + retry_wait(probe, probe_timeout);
      if (resend_at > m_now) {
        wake = std::min(wake, resend_at);
      } else {
        waiting_to_send = true;
      }
    }
    if (waiting_to_send && in_flight < m_config.window) { wake = std::min(wake, std::max(m_next_action, m_now)); }
    break;
  }
  case Phase::done: break;
  }
  return wake;
}

responses::RunFacts HostOsScan::run_facts() const {
  responses::RunFacts facts;
  facts.target_address = m_target.address;
  facts.open_tcp_port = m_target.open_tcp_port;
  facts.closed_tcp_port = m_target.closed_tcp_port;
  facts.closed_udp_port = m_target.closed_udp_port;
  facts.closed_tcp_port_known = m_target.closed_tcp_known;
  facts.closed_udp_port_known = m_target.closed_udp_known;
  facts.scan_delay_ms = m_config.scan_delay_ms;
  if (!m_rounds.empty()) { facts.start = m_rounds.front().start; }
  return facts;
}

std::vector<responses::RoundInput> HostOsScan::round_inputs() const {
  std::vector<responses::RoundInput> inputs;
  inputs.reserve(m_rounds.size());
  for (const auto& round : m_rounds) { inputs.push_back({&round.replies, &round.context}); }
  return inputs;
}

fingerprint::Fingerprint without_timing_values(const fingerprint::Fingerprint& round_fingerprint) {
  fingerprint::Fingerprint out = round_fingerprint;
  for (auto& line : out.tests) {
    if (line.name != "SEQ") { continue; }
    std::erase_if(line.attributes,
                  [](const fingerprint::Attribute& a) { return a.name == "SP" || a.name == "GCD" || a.name == "ISR"; });
  }
  std::erase_if(out.tests, [](const fingerprint::TestLine& line) { return line.attributes.empty(); });
  return out;
}

} // namespace stackprint::engine
