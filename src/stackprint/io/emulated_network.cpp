#include "stackprint/io/emulated_network.hpp"

#include <algorithm>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::io {

// Bounds the loop of a session that never finishes on this network (a bug, not a slow scan: the
// clock jumps, so even a long scan takes few waits per packet).
constexpr std::uint64_t k_max_waits = 50'000'000;

void EmulatedNetwork::add_host(emulation::Responder responder) {
  const std::uint32_t address = responder.options().address;
  m_hosts.insert_or_assign(address, std::move(responder));
}

Expected<SendOutcome> EmulatedNetwork::send(std::span<const std::uint8_t> bytes) {
  m_sends.push_back(m_clock.monotonic_now());
  const auto packet = wire::parse_ipv4(bytes);
  if (!packet) { return fail("emulated network: an unparsable packet was sent: " + packet.error().message); }
  const auto host = m_hosts.find(packet->ip.destination);
  if (host == m_hosts.end()) { return SendOutcome::sent; }
  for (const auto& reply : host->second.respond(*packet, m_clock.wall_now())) {
    m_in_flight.emplace(m_clock.monotonic_now() + m_delay, wire::serialize(reply));
  }
  return SendOutcome::sent;
}

Expected<std::vector<CapturedFrame>> EmulatedNetwork::wait(MonotonicTime deadline) {
  if (++m_waits > k_max_waits) { return fail("emulated network: the scan did not end"); }
  MonotonicTime until = deadline;
  if (!m_in_flight.empty()) { until = std::min(until, m_in_flight.begin()->first); }
  // At least a microsecond, so that a loop waiting for a due deadline always moves on.
  m_clock.advance(std::max<std::chrono::microseconds>(
      std::chrono::duration_cast<std::chrono::microseconds>(until - m_clock.monotonic_now()),
      std::chrono::microseconds(1)));
  std::vector<CapturedFrame> due;
  while (!m_in_flight.empty() && m_in_flight.begin()->first <= m_clock.monotonic_now()) {
    due.push_back(CapturedFrame{m_clock.wall_now(), std::move(m_in_flight.begin()->second), std::nullopt});
    m_in_flight.erase(m_in_flight.begin());
  }
  return due;
}

std::size_t EmulatedNetwork::peak_sends(std::chrono::steady_clock::duration width) const {
  std::size_t peak = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < m_sends.size(); ++i) {
    while (m_sends[first] <= m_sends[i] - width) { ++first; }
    peak = std::max(peak, i - first + 1);
  }
  return peak;
}

} // namespace stackprint::io
