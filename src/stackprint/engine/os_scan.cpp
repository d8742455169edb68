#include "stackprint/engine/os_scan.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {

OsScan::OsScan(OsScanConfig config, RoundJudge judge, std::uint64_t seed, RateLimit rate)
    : m_config(config), m_judge(std::move(judge)), m_seed(seed), m_rate(rate), m_tokens(rate.burst) {}

void OsScan::add_host(const HostTarget& target, Instant now, Timestamp wall_now) {
  if (m_index.count(target.address) != 0) {
    return;
  }
  // Each host gets its own deterministic stream of random values.
  const std::uint64_t host_seed = m_seed ^ (0x9E3779B97F4A7C15ULL * (++m_added)) ^ target.address;
  m_index.emplace(target.address, m_hosts.size());
  m_hosts.emplace_back(target, m_config, host_seed, now, wall_now);
}

void OsScan::refill(Instant now) {
  if (m_rate.packets_per_second <= 0.0) {
    return;
  }
  if (m_last_refill) {
    const double elapsed = std::chrono::duration<double>(now - *m_last_refill).count();
    m_tokens = std::min(m_rate.burst, m_tokens + elapsed * m_rate.packets_per_second);
  }
  m_last_refill = now;
}

std::vector<OutgoingPacket> OsScan::tick(Instant now, Timestamp wall_now) {
  refill(now);
  std::size_t budget = m_rate.packets_per_second > 0.0 ? static_cast<std::size_t>(m_tokens)
                                                        : std::numeric_limits<std::size_t>::max();
  const std::size_t budget_before = budget;
  std::vector<OutgoingPacket> out;
  const std::size_t count = m_hosts.size();
  for (std::size_t k = 0; k < count && budget > 0; ++k) {
    m_hosts[(m_next_host + k) % count].tick(now, wall_now, budget, out, m_judge);
  }
  if (count > 0) {
    m_next_host = (m_next_host + 1) % count;
  }
  // Hosts that ran out of time without a send still need their tick to notice the deadline.
  for (auto& host : m_hosts) {
    if (!host.done() && host.next_wakeup() && *host.next_wakeup() <= now && budget == 0) {
      std::size_t none = 0;
      host.tick(now, wall_now, none, out, m_judge);
    }
  }
  if (m_rate.packets_per_second > 0.0) {
    m_tokens -= static_cast<double>(budget_before - budget);
  }
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
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
      m_index.emplace(m_hosts[i].target().address, i);
    }
    m_next_host = m_hosts.empty() ? 0 : m_next_host % m_hosts.size();
  }
  return out;
}

void OsScan::on_frame(const CapturedFrame& frame, Instant now) {
  auto packet = wire::parse_ipv4(frame.ip_packet);
  if (!packet) {
    ++m_malformed;
    return;
  }
  const auto it = m_index.find(packet->ip.source);
  if (it == m_index.end() || packet->ip.destination != m_config.source_address) {
    ++m_foreign;
    return;
  }
  m_hosts[it->second].on_reply(responses::Reply{frame.time, std::move(*packet), frame.ip_packet, frame.link_source},
                               now);
}

std::vector<HostOsScan> OsScan::take_finished() {
  std::vector<HostOsScan> finished;
  finished.swap(m_finished);
  return finished;
}

std::optional<Instant> OsScan::next_wakeup() const {
  std::optional<Instant> wake;
  for (const auto& host : m_hosts) {
    if (const auto w = host.next_wakeup()) {
      wake = wake ? std::min(*wake, *w) : *w;
    }
  }
  if (wake && m_rate.packets_per_second > 0.0 && m_tokens < 1.0 && m_last_refill) {
    const auto wait = std::chrono::duration<double>((1.0 - m_tokens) / m_rate.packets_per_second);
    wake = std::max(*wake, *m_last_refill + std::chrono::duration_cast<Duration>(wait));
  }
  return wake;
}

} // namespace stackprint::engine
