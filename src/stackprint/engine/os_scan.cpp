#include "stackprint/engine/os_scan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {

bool admit_one_more(const AdmissionState& state) {
  if (state.rate <= 0.0 || state.hosts_sending == 0) { return true; }
  if (state.deferred_recently) { return false; }
  return static_cast<double>(state.hosts_sending + 1) * state.packets_per_host_second <= state.rate;
}

OsScan::OsScan(OsScanConfig config, RoundJudge judge, std::uint64_t seed, RateLimit rate)
    : m_config(config), m_judge(std::move(judge)), m_seed(seed), m_limiter(rate.packets_per_second, rate.burst) {}

void OsScan::add_host(const HostTarget& target, Instant now, Timestamp wall_now) {
  if (m_index.count(target.address) != 0 || m_waiting_index.count(target.address) != 0) { return; }
  if (!m_limiter.limited()) {
    // Each host gets its own deterministic stream of random values.
    const std::uint64_t host_seed = m_seed ^ (0x9E3779B97F4A7C15ULL * (++m_added)) ^ target.address;
    m_index.emplace(target.address, m_hosts.size());
    InFlight& host = m_hosts.emplace_back();
    host.scan = std::make_unique<HostOsScan>(target, m_config, host_seed, now, wall_now);
    refresh(host);
    return;
  }
  m_waiting_index.emplace(target.address, true);
  m_waiting.push_back(target);
  admit(now, wall_now);
}

void OsScan::refresh(InFlight& host) {
  host.wake = host.scan->next_wakeup();
  host.seq = host.scan->sending_seq_train();
  host.done = host.scan->done();
}

double OsScan::packets_per_host_second() const {
  // Measured once a few hosts' worth of time has passed; never below what a SEQ train alone needs.
  constexpr double k_enough_host_seconds = 3.0;
  if (m_host_seconds < k_enough_host_seconds) { return k_prior_packets_per_host_second; }
  const double train = 1.0 / std::chrono::duration<double>(m_config.seq_gap).count();
  return std::max(train, static_cast<double>(m_sent) / m_host_seconds);
}

std::uint64_t OsScan::lost_sends() const {
  std::uint64_t total = m_lost_done;
  for (const auto& host : m_hosts) { total += host.scan->lost_sends(); }
  return total;
}

std::vector<const HostOsScan*> OsScan::hosts() const {
  std::vector<const HostOsScan*> hosts;
  hosts.reserve(m_hosts.size());
  for (const auto& host : m_hosts) { hosts.push_back(host.scan.get()); }
  return hosts;
}

std::uint64_t OsScan::answered_probes() const {
  std::uint64_t total = m_answered_done;
  for (const auto& host : m_hosts) { total += host.scan->answered_probes(); }
  return total;
}

void OsScan::admit(Instant now, Timestamp wall_now) {
  while (!m_waiting.empty()) {
    AdmissionState state;
    state.rate = m_limiter.rate();
    state.hosts_sending = m_hosts.size();
    state.packets_per_host_second = packets_per_host_second();
    state.deferred_recently = m_last_deferral && now - *m_last_deferral < m_config.seq_gap;
    if (!admit_one_more(state)) { return; }
    const HostTarget target = m_waiting.front();
    m_waiting.pop_front();
    m_waiting_index.erase(target.address);
    const std::uint64_t host_seed = m_seed ^ (0x9E3779B97F4A7C15ULL * (++m_added)) ^ target.address;
    m_index.emplace(target.address, m_hosts.size());
    InFlight& host = m_hosts.emplace_back();
    host.scan = std::make_unique<HostOsScan>(target, m_config, host_seed, now, wall_now);
    refresh(host);
  }
}

std::vector<OutgoingPacket> OsScan::tick(Instant now, Timestamp wall_now, Serve serve) {
  const bool seq_only = serve == Serve::seq_trains;
  if (seq_only && !m_limiter.limited()) { return {}; } // unlimited, every host is served in one pass
  if (m_last_tick && now > *m_last_tick) {
    m_host_seconds += static_cast<double>(m_hosts.size()) * std::chrono::duration<double>(now - *m_last_tick).count();
  }
  m_last_tick = now;
  admit(now, wall_now);
  std::size_t budget = m_limiter.available(now);
  const std::size_t budget_before = budget;
  std::vector<OutgoingPacket> out;
  // Hosts in a fixed order from the first one left out last time; SEQ trains first.
  std::vector<std::size_t> order;
  order.reserve(m_hosts.size());
  for (std::size_t i = 0; i < m_hosts.size(); ++i) { order.push_back((m_next_host + i) % m_hosts.size()); }
  if (m_limiter.limited()) {
    const auto others =
        std::stable_partition(order.begin(), order.end(), [this](std::size_t i) { return m_hosts[i].seq; });
    if (seq_only) { order.erase(others, order.end()); }
  }
  const std::size_t count = order.size();
  // Only hosts that changed since their last tick, or whose wake-up is due, are ticked: the tick of
  // any other host would do nothing, as next_wakeup() is when a host next has something to do on
  // its own (replies and sends mark their host). The order and the budget are those of ticking
  // every host.
  const auto due = [now](const InFlight& host) { return host.wake && *host.wake <= now; };
  bool any_done = false;
  const auto tick_host = [&](InFlight& host, std::size_t& host_budget) {
    host.scan->tick(now, wall_now, host_budget, out, m_judge);
    host.touched = false;
    refresh(host);
    any_done = any_done || host.done;
  };
  // Tokens held back for SEQ probes due within the next quarter SEQ gap: other probes spent just
  // before them would leave them waiting for new tokens, stretching their trains (SP and ISR
  // divide by the gaps). Other probes are not timed against each other, so they are the ones that
  // wait.
  std::size_t reserve = 0;
  if (m_limiter.limited()) {
    const Instant horizon = now + m_config.seq_gap / 4;
    for (const std::size_t i : order) {
      const InFlight& host = m_hosts[i];
      if (!host.seq) { break; } // SEQ trains come first in `order`
      if (host.wake && *host.wake > now && *host.wake <= horizon) { ++reserve; }
    }
  }
  std::size_t served = 0;
  for (; served < count && budget > 0; ++served) {
    InFlight& host = m_hosts[order[served]];
    if (!host.touched && !due(host)) { continue; }
    if (reserve == 0 || host.seq) {
      tick_host(host, budget);
      continue;
    }
    if (budget <= reserve) { break; }
    std::size_t spare = budget - reserve;
    tick_host(host, spare);
    budget = reserve + spare;
  }
  if (served < count) {
    if (served < count && !seq_only) { m_next_host = order[served]; }
    // Hosts that ran out of time without a send still need their tick to notice the deadline.
    for (std::size_t i = served; i < count; ++i) {
      InFlight& host = m_hosts[order[i]];
      if (due(host)) {
        // Only a SEQ probe's delay matters (the other probes are not timed against each other).
        if (host.scan->sending_seq_train()) { m_last_deferral = now; }
        std::size_t none = 0;
        tick_host(host, none);
      }
    }
  }
  m_limiter.take(budget_before == std::numeric_limits<std::size_t>::max() ? 0 : budget_before - budget, now);
  m_sent += out.size();

  // Move finished hosts out, keeping the order of the others and the index consistent. The hosts
  // are held by pointer: with a thousand hosts in flight, hosts finish on almost every tick, and
  // moving every host object each time cost more than the probes themselves.
  const auto first_done =
      any_done ? std::find_if(m_hosts.begin(), m_hosts.end(), [](const InFlight& h) { return h.done; }) : m_hosts.end();
  if (first_done != m_hosts.end()) {
    const auto first_moved = static_cast<std::size_t>(first_done - m_hosts.begin());
    auto kept = first_done;
    for (auto it = first_done; it != m_hosts.end(); ++it) {
      HostOsScan& host = *it->scan;
      if (it->done) {
        m_lost_done += host.lost_sends();
        m_answered_done += host.answered_probes();
        m_index.erase(host.target().address);
        m_finished.push_back(std::move(host));
      } else {
        *kept++ = std::move(*it);
      }
    }
    m_hosts.erase(kept, m_hosts.end());
    for (std::size_t i = first_moved; i < m_hosts.size(); ++i) { m_index[m_hosts[i].scan->target().address] = i; }
    m_next_host = m_hosts.empty() ? 0 : m_next_host % m_hosts.size();
  }
  return out;
}

namespace {

// Probe sequence numbers are tcp_seq_base + 0..5, and stacks acknowledge them with +0 or +1 (and
// answer an ACK probe with sequence tcp_ack or +1); a window of 64 leaves room while keeping the
// chance that a random number falls in another host's window at 64 / 2^32 per host.
constexpr std::uint32_t k_sequence_window = 64;

// Whether a TCP reply names the probes of this round: it acknowledges their sequence numbers, or
// (an RST answering an ACK probe) uses their acknowledgment number as its sequence number.
bool names_round(const wire::TcpSegment& tcp, const probes::ProbeContext& context) {
  return tcp.acknowledgment - context.tcp_seq_base < k_sequence_window ||
         tcp.sequence - context.tcp_ack < k_sequence_window;
}

bool echoes_round(std::uint16_t identifier, const probes::ProbeContext& context) {
  return static_cast<std::uint16_t>(identifier - context.icmp_echo_id) < 2;
}

} // namespace

bool OsScan::answers_another_host(const wire::Ipv4Packet& packet, std::size_t claimed) const {
  // A host cannot know the random sequence base or echo identifier of probes sent to another host,
  // unless it forges (or misdirects) an answer to a probe it saw. Such a packet names the other
  // host's values and not its own. Honest replies name their own host's values, or none (A=Z, A=O),
  // and are kept.
  const probes::ProbeContext& own = m_hosts[claimed].scan->probe_context();
  if (const wire::TcpSegment* tcp = packet.tcp()) {
    if (names_round(*tcp, own)) { return false; }
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      if (i != claimed && names_round(*tcp, m_hosts[i].scan->probe_context())) { return true; }
    }
    return false;
  }
  if (const wire::IcmpMessage* icmp = packet.icmp(); icmp != nullptr && icmp->type == wire::k_icmp_echo_reply) {
    if (echoes_round(icmp->echo_identifier(), own)) { return false; }
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      if (i != claimed && echoes_round(icmp->echo_identifier(), m_hosts[i].scan->probe_context())) { return true; }
    }
  }
  return false;
}

void OsScan::on_frame(const CapturedFrame& frame, Instant now) {
  auto packet = wire::parse_ipv4(frame.ip_packet);
  // Routers drop packets whose header checksum is wrong, so a real answer never has one.
  if (!packet || !wire::verify_ip_checksum(packet->ip)) {
    ++m_malformed;
    return;
  }
  // DIVERGENCE(nmap): Nmap does not reassemble and reads a first fragment's transport header as if
  // the packet were whole. No stack fragments its answers to these small probes, so fragments are
  // counted and dropped rather than half-read.
  if (packet->ip.more_fragments || packet->ip.fragment_offset != 0) {
    ++m_fragments;
    return;
  }
  const auto it = m_index.find(packet->ip.source);
  if (it == m_index.end() || packet->ip.destination != m_config.source_address) {
    ++m_foreign;
    return;
  }
  if (answers_another_host(*packet, it->second)) {
    ++m_cross_host;
    return;
  }
  InFlight& host = m_hosts[it->second];
  host.scan->on_reply(responses::Reply{frame.time, std::move(*packet), frame.ip_packet, frame.link_source}, now);
  host.touched = true;
  refresh(host);
}

void OsScan::on_sent(const OutgoingPacket& packet, Instant now, Timestamp wall_now) {
  if (const auto it = m_index.find(packet.destination); it != m_index.end()) {
    InFlight& host = m_hosts[it->second];
    host.scan->on_sent(packet.probe, now, wall_now);
    host.touched = true;
    refresh(host);
  }
}

std::vector<HostOsScan> OsScan::take_finished() {
  std::vector<HostOsScan> finished;
  finished.swap(m_finished);
  return finished;
}

std::optional<Instant> OsScan::next_wakeup() const {
  std::optional<Instant> wake;
  for (const auto& host : m_hosts) {
    if (host.wake) { wake = wake ? std::min(*wake, *host.wake) : *host.wake; }
  }
  if (!m_waiting.empty()) {
    // Admission is looked at again a few milliseconds on (a token, a finished host may admit one).
    const Instant again = m_last_tick ? *m_last_tick + std::chrono::milliseconds(5) : Instant{};
    wake = wake ? std::min(*wake, again) : again;
  }
  if (wake && m_last_tick) {
    if (const auto token = m_limiter.next_token_at(*m_last_tick)) { wake = std::max(*wake, *token); }
  }
  return wake;
}

} // namespace stackprint::engine
