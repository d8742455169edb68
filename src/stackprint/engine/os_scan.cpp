#include "stackprint/engine/os_scan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {

OsScan::OsScan(OsScanConfig config, RoundJudge judge, std::uint64_t seed, RateLimit rate)
    : m_config(config), m_judge(std::move(judge)), m_seed(seed), m_rate(rate), m_tokens(rate.burst) {}

void OsScan::add_host(const HostTarget& target, Instant now, Timestamp wall_now) {
  if (m_index.count(target.address) != 0) { return; }
  // Each host gets its own deterministic stream of random values.
  const std::uint64_t host_seed = m_seed ^ (0x9E3779B97F4A7C15ULL * (++m_added)) ^ target.address;
  m_index.emplace(target.address, m_hosts.size());
  m_hosts.emplace_back(target, m_config, host_seed, now, wall_now);
}

void OsScan::refill(Instant now) {
  if (m_rate.packets_per_second <= 0.0) { return; }
  if (m_last_refill) {
    const double elapsed = std::chrono::duration<double>(now - *m_last_refill).count();
    m_tokens = std::min(m_rate.burst, m_tokens + elapsed * m_rate.packets_per_second);
  }
  m_last_refill = now;
}

std::vector<OutgoingPacket> OsScan::tick(Instant now, Timestamp wall_now) {
  refill(now);
  std::size_t budget =
      m_rate.packets_per_second > 0.0 ? static_cast<std::size_t>(m_tokens) : std::numeric_limits<std::size_t>::max();
  const std::size_t budget_before = budget;
  std::vector<OutgoingPacket> out;
  const std::size_t count = m_hosts.size();
  std::size_t served = 0;
  for (; served < count && budget > 0; ++served) {
    m_hosts[(m_next_host + served) % count].tick(now, wall_now, budget, out, m_judge);
  }
  if (budget == 0 && count > 0) { m_next_host = (m_next_host + served) % count; }
  // Hosts that ran out of time without a send still need their tick to notice the deadline.
  for (auto& host : m_hosts) {
    if (!host.done() && host.next_wakeup() && *host.next_wakeup() <= now && budget == 0) {
      std::size_t none = 0;
      host.tick(now, wall_now, none, out, m_judge);
    }
  }
  if (m_rate.packets_per_second > 0.0) { m_tokens -= static_cast<double>(budget_before - budget); }
  m_sent += out.size();

  // Move finished hosts out, keeping the index consistent.
  const bool any_done = std::any_of(m_hosts.begin(), m_hosts.end(), [](const HostOsScan& h) { return h.done(); });
  if (any_done) {
    std::vector<HostOsScan> still;
    still.reserve(m_hosts.size());
    for (auto& host : m_hosts) {
      if (host.done()) {
        m_finished.push_back(std::move(host));
      } else {
        still.push_back(std::move(host));
      }
    }
    m_hosts = std::move(still);
    m_index.clear();
    for (std::size_t i = 0; i < m_hosts.size(); ++i) { m_index.emplace(m_hosts[i].target().address, i); }
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
  const probes::ProbeContext& own = m_hosts[claimed].probe_context();
  if (const wire::TcpSegment* tcp = packet.tcp()) {
    if (names_round(*tcp, own)) { return false; }
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      if (i != claimed && names_round(*tcp, m_hosts[i].probe_context())) { return true; }
    }
    return false;
  }
  if (const wire::IcmpMessage* icmp = packet.icmp(); icmp != nullptr && icmp->type == wire::k_icmp_echo_reply) {
    if (echoes_round(icmp->echo_identifier(), own)) { return false; }
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      if (i != claimed && echoes_round(icmp->echo_identifier(), m_hosts[i].probe_context())) { return true; }
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
  m_hosts[it->second].on_reply(responses::Reply{frame.time, std::move(*packet), frame.ip_packet, frame.link_source},
                               now);
}

void OsScan::on_sent(const OutgoingPacket& packet, Instant now, Timestamp wall_now) {
  if (const auto it = m_index.find(packet.destination); it != m_index.end()) {
    m_hosts[it->second].on_sent(packet.probe, now, wall_now);
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
    if (const auto w = host.next_wakeup()) { wake = wake ? std::min(*wake, *w) : *w; }
  }
  if (wake && m_rate.packets_per_second > 0.0 && m_tokens < 1.0 && m_last_refill) {
    const auto wait = std::chrono::duration<double>((1.0 - m_tokens) / m_rate.packets_per_second);
    wake = std::max(*wake, *m_last_refill + std::chrono::duration_cast<Duration>(wait));
  }
  return wake;
}

} // namespace stackprint::engine
