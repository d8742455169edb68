#include "stackprint/emulation/fair_inbox.hpp"

#include <algorithm>

namespace stackprint::emulation {

std::uint32_t destination_of(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 20) return 0;
  return (std::uint32_t{bytes[16]} << 24U) | (std::uint32_t{bytes[17]} << 16U) | (std::uint32_t{bytes[18]} << 8U) |
         std::uint32_t{bytes[19]};
}

bool FairInbox::push(StampedPacket packet) {
  const std::uint32_t destination = destination_of(packet.bytes);
  if (m_size >= m_limits.total) {
    ++m_stats.dropped;
    return false;
  }
  auto [it, fresh] = m_queues.try_emplace(destination);
  if (it->second.size() >= m_limits.per_destination) {
    ++m_stats.dropped;
    return false;
  }
  if (fresh) m_turns.push_back(destination);
  it->second.push_back(std::move(packet));
  ++m_size;
  m_stats.peak = std::max(m_stats.peak, m_size);
  return true;
}

std::optional<StampedPacket> FairInbox::pop() {
  if (m_turns.empty()) return std::nullopt;
  const std::uint32_t destination = m_turns.front();
  m_turns.pop_front();
  auto it = m_queues.find(destination);
  StampedPacket packet = std::move(it->second.front());
  it->second.pop_front();
  --m_size;
  if (it->second.empty()) {
    m_queues.erase(it);
  } else {
    m_turns.push_back(destination);
  }
  return packet;
}

bool ReplyQueue::push(Timestamp due, std::vector<std::uint8_t> bytes) {
  if (m_queue.size() >= m_limit) {
    ++m_dropped;
    return false;
  }
  m_queue.push(TimedReply{due, m_order++, std::move(bytes)});
  return true;
}

const std::vector<std::uint8_t>* ReplyQueue::due(Timestamp now) const {
  if (m_queue.empty() || m_queue.top().due > now) return nullptr;
  return &m_queue.top().bytes;
}

void ReplyQueue::pop() {
  if (!m_queue.empty()) m_queue.pop();
}

std::optional<Timestamp> ReplyQueue::next_due() const {
  if (m_queue.empty()) return std::nullopt;
  return m_queue.top().due;
}

} // namespace stackprint::emulation
