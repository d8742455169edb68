#include "stackprint/emulation/icmp_error_limit.hpp"

#include <algorithm>

#include "stackprint/wire/icmp_message.hpp"

namespace stackprint::emulation {

bool is_limited_icmp_error(const wire::Ipv4Packet& packet) {
  const auto* icmp = packet.icmp();
  if (icmp == nullptr) return false;
  return icmp->type == wire::k_icmp_destination_unreachable || icmp->type == wire::k_icmp_source_quench ||
         icmp->type == wire::k_icmp_time_exceeded || icmp->type == wire::k_icmp_parameter_problem;
}

IcmpErrorLimiter::IcmpErrorLimiter(IcmpErrorLimit limit, std::size_t max_destinations)
    : m_limit(limit), m_max_destinations(std::max<std::size_t>(1, max_destinations)) {}

bool IcmpErrorLimiter::allow(std::uint32_t destination, Timestamp now) {
  const auto full = m_limit.interval * std::max(1, m_limit.burst);
  auto it = m_buckets.find(destination);
  if (it == m_buckets.end()) {
    while (m_buckets.size() >= m_max_destinations && !m_order.empty()) {
      m_buckets.erase(m_order.front());
      m_order.pop_front();
      ++m_stats.forgotten;
    }
    it = m_buckets.emplace(destination, Bucket{full, now}).first;
    m_order.push_back(destination);
  }
  Bucket& b = it->second;
  // Time that runs backwards (a stepped clock) adds nothing.
  const auto elapsed = std::max(std::chrono::microseconds{0}, now - b.last);
  b.credit = std::min(full, b.credit + elapsed);
  b.last = now;
  if (b.credit < m_limit.interval) {
    ++m_stats.limited;
    return false;
  }
  b.credit -= m_limit.interval;
  ++m_stats.allowed;
  return true;
}

} // namespace stackprint::emulation
