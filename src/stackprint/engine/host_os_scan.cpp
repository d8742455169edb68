#include "stackprint/engine/host_os_scan.hpp"

#include <algorithm>

#include "stackprint/responses/round_analysis.hpp"

namespace stackprint::engine {
namespace {

using probes::ProbeId;

constexpr std::uint32_t k_port_base_low = 33000;
constexpr std::uint32_t k_port_base_span = 31000;
constexpr std::uint16_t k_ports_per_base = 20; // SEQ1..T7 use base+0..base+19

std::size_t index_of(ProbeId id) { return static_cast<std::size_t>(id); }

} // namespace

HostOsScan::HostOsScan(HostTarget target, const OsScanConfig& config, std::uint64_t seed, Instant start,
                       Timestamp wall_start)
    : m_target(target), m_config(config), m_random(seed), m_deadline(start + config.host_timeout),
      m_next_action(start) {
  // Nmap's magic port: 33000 + rand % 31000, then a random offset up to 255 for each base.
  const auto magic = static_cast<std::uint16_t>(k_port_base_low + m_random() % k_port_base_span);
  m_tcp_port_base = static_cast<std::uint16_t>(magic + m_random() % 256);
  m_udp_port_base = static_cast<std::uint16_t>(magic + m_random() % 256);
  start_round(start, wall_start);
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

void HostOsScan::start_round(Instant now, Timestamp wall_now) {
  if (m_round > 0) {
    const auto move = [](std::uint16_t base) {
      std::uint32_t next = base + 256U;
      if (next + k_ports_per_base > 65535U) {
        next = k_port_base_low + (next - k_port_base_low) % (65535U - k_ports_per_base - k_port_base_low);
      }
      return static_cast<std::uint16_t>(next);
    };
    m_tcp_port_base = move(m_tcp_port_base);
    m_udp_port_base = move(m_udp_port_base);
  }
  ++m_round;
  m_context = probes::ProbeContext{};
  m_context.source_address = m_config.source_address;
  m_context.target_address = m_target.address;
  m_context.open_tcp_port = m_target.open_tcp_port.value_or(0);
  m_context.closed_tcp_port = m_target.closed_tcp_port;
  m_context.closed_udp_port = m_target.closed_udp_port;
  m_context.tcp_port_base = m_tcp_port_base;
  m_context.udp_port_base = m_udp_port_base;
  m_context.tcp_seq_base = static_cast<std::uint32_t>(m_random());
  m_context.tcp_ack = static_cast<std::uint32_t>(m_random());
  m_context.icmp_echo_id = static_cast<std::uint16_t>(m_random());
  m_context.udp_ttl = static_cast<std::uint8_t>(51 + m_random() % 14);
  m_collector.emplace(m_context);
  m_round_wall_start = wall_now;
  m_seq_sent = 0;
  m_tui.clear();
  m_last_send_at.fill(std::nullopt);
  m_send_count.fill(0);
  m_next_action = now;
  if (m_target.open_tcp_port) {
    m_phase = Phase::seq;
  } else {
    begin_tui(now);
  }
}

void HostOsScan::send(ProbeId id, Instant now, Timestamp wall_now, std::vector<OutgoingPacket>& out) {
  probes::PacketValues values;
  values.ip_id = static_cast<std::uint16_t>(1 + m_random() % 65535);
  values.ttl = m_config.ttl ? *m_config.ttl : static_cast<std::uint8_t>(37 + m_random() % 23);
  out.push_back(OutgoingPacket{m_target.address, id, probes::probe_bytes(id, m_context, values)});
  m_collector->on_probe_sent(id, wall_now);
  m_last_send = now;
  m_last_send_at[index_of(id)] = now;
  ++m_send_count[index_of(id)];
  ++m_packets_sent;
}

bool HostOsScan::answered(ProbeId id) const {
  const auto& r = m_collector->replies();
  if (probes::is_seq_probe(id)) {
    return r.seq[index_of(id)].has_value();
  }
  if (probes::is_ops_resend(id)) {
    return r.ops_win[static_cast<std::size_t>(*probes::seq_index(id))].has_value();
  }
  switch (id) {
  case ProbeId::ECN:
    return r.ecn.has_value();
  case ProbeId::IE1:
    return r.echo[0].has_value();
  case ProbeId::IE2:
    return r.echo[1].has_value();
  case ProbeId::U1:
    return r.u1.has_value();
  default:
    return r.t[index_of(id) - index_of(ProbeId::T1)].has_value();
  }
}

void HostOsScan::begin_tui(Instant now) {
  m_phase = Phase::tui;
  const auto& r = m_collector->replies();
  std::vector<ProbeId> order{ProbeId::IE1, ProbeId::IE2, ProbeId::U1};
  if (m_target.open_tcp_port) {
    for (std::size_t i = 0; i < 6; ++i) {
      if (!r.ops_win[i]) {
        order.push_back(static_cast<ProbeId>(index_of(ProbeId::OPS1) + i));
      }
    }
    order.push_back(ProbeId::ECN);
    if (!r.t[0]) {
      order.push_back(ProbeId::T1);
    }
    order.insert(order.end(), {ProbeId::T2, ProbeId::T3, ProbeId::T4});
  }
  order.insert(order.end(), {ProbeId::T5, ProbeId::T6, ProbeId::T7});
  for (const ProbeId id : order) {
    TuiProbe probe;
    probe.id = id;
    m_tui.push_back(probe);
  }
  const Instant earliest = m_last_send ? *m_last_send + m_config.tui_gap : now;
  m_next_action = std::max(now, earliest);
}

void HostOsScan::end_host(HostEnd end) {
  m_end = end;
  m_phase = Phase::done;
}

void HostOsScan::finish_round(Instant now, const RoundJudge& judge) {
  m_rounds.push_back(CompletedRound{m_context, m_collector->replies(), m_round_wall_start});
  responses::RoundConditions conditions;
  conditions.ports = port_knowledge();
  const auto analysis = responses::analyze_round(m_collector->replies(), m_context, conditions);
  std::set<std::string> missing;
  for (std::size_t i = 0; i < 6 && m_target.open_tcp_port; ++i) {
    if (!m_collector->replies().seq[i]) {
      missing.insert(std::string(probes::probe_name(static_cast<ProbeId>(i))));
    }
  }
  for (const TuiProbe& probe : m_tui) {
    if (!answered(probe.id)) {
      missing.insert(std::string(probes::probe_name(probe.id)));
    }
  }
  m_missing_per_round.push_back(missing);

  if (judge && judge(analysis.fingerprint)) {
    end_host(HostEnd::perfect_match);
    return;
  }
  const int limit = m_target.conditions_not_ideal ? std::min(m_config.max_os_tries, m_config.non_ideal_max_tries)
                                                  : m_config.max_os_tries;
  if (static_cast<int>(m_rounds.size()) >= limit) {
    end_host(HostEnd::tries_exhausted);
    return;
  }
  const bool seq_complete = !m_target.open_tcp_port || std::all_of(m_collector->replies().seq.begin(),
                                                                   m_collector->replies().seq.end(),
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
  m_phase = Phase::between_rounds;
  m_next_action = now + m_config.round_gap;
}

void HostOsScan::tick(Instant now, Timestamp wall_now, std::size_t& budget, std::vector<OutgoingPacket>& out,
                      const RoundJudge& judge) {
  if (m_phase == Phase::done) {
    return;
  }
  if (now >= m_deadline) {
    if (m_phase != Phase::between_rounds) {
      m_rounds.push_back(CompletedRound{m_context, m_collector->replies(), m_round_wall_start});
    }
    end_host(HostEnd::host_timeout);
    return;
  }
  if (m_phase == Phase::between_rounds) {
    if (now < m_next_action) {
      return;
    }
    start_round(now, wall_now);
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
    for (int i = 0; i < 6; ++i) {
      all = all && answered(static_cast<ProbeId>(i));
    }
    if (!all && now < m_next_action) {
      return;
    }
    begin_tui(now);
  }
  // TUI phase.
  const Duration probe_timeout = timeout();
  std::size_t in_flight = 0;
  bool all_finished = true;
  for (TuiProbe& probe : m_tui) {
    if (probe.finished) {
      continue;
    }
    if (answered(probe.id)) {
      probe.finished = true;
      continue;
    }
    if (probe.last_send && now < *probe.last_send + probe_timeout) {
      ++in_flight;
    } else if (probe.sends >= m_config.max_tui_sends) {
      probe.finished = true;
      continue;
    }
    all_finished = false;
  }
  if (all_finished) {
    finish_round(now, judge);
    return;
  }
  if (now < m_next_action || budget == 0 || in_flight >= m_config.window) {
    return;
  }
  for (TuiProbe& probe : m_tui) {
    const bool due = !probe.finished && (!probe.last_send || now >= *probe.last_send + probe_timeout);
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

void HostOsScan::on_reply(responses::Reply reply, Instant now) {
  if (!m_collector || m_phase == Phase::done) {
    return;
  }
  const auto useful = m_collector->on_reply(std::move(reply));
  if (useful && m_send_count[index_of(*useful)] == 1 && m_last_send_at[index_of(*useful)]) {
    record_rtt(now - *m_last_send_at[index_of(*useful)]);
  }
}

std::optional<Instant> HostOsScan::next_wakeup() const {
  if (m_phase == Phase::done) {
    return std::nullopt;
  }
  Instant wake = m_deadline;
  switch (m_phase) {
  case Phase::seq:
  case Phase::seq_wait:
  case Phase::between_rounds:
    wake = std::min(wake, m_next_action);
    break;
  case Phase::tui: {
    // In-flight probes wake us at their timeout; unsent ones at the next send slot, but only while
    // the window has room (otherwise a freed slot comes with a reply or a timeout).
    const Duration probe_timeout = timeout();
    std::size_t in_flight = 0;
    bool waiting_to_send = false;
    for (const TuiProbe& probe : m_tui) {
      if (probe.finished) {
        continue;
      }
      if (probe.last_send) {
        // Its timeout, or the next send slot when it is due for a resend by then.
        wake = std::min(wake, std::max(*probe.last_send + probe_timeout, m_next_action));
        ++in_flight;
      } else {
        waiting_to_send = true;
      }
    }
    if (waiting_to_send && in_flight < m_config.window) {
      wake = std::min(wake, m_next_action);
    }
    break;
  }
  case Phase::done:
    break;
  }
  return wake;
}

} // namespace stackprint::engine
