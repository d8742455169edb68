#pragma once
// Bounded queues between the emulator's TUN reads and its answers, so that a flood at one emulated
// address costs that address its answers but not the others theirs (docs/service.md section 1).
//
// The emulator reads every packet the kernel holds before answering the next one (packet_burst.hpp),
// then answers one packet at a time. FairInbox keeps the packets read and not answered yet in one
// queue per destination address, each at most `per_destination` long and all together at most
// `total`, and serves the destinations round robin: one packet for each destination that has any,
// in turn. A flooded address fills its own queue and loses the excess; a probe to any other address
// waits behind at most one packet per busy destination, not behind the flood.
// ReplyQueue holds the answers waiting for their due time (impairments, hostile copies), at most
// `limit` of them; past that, new answers are dropped and counted.
// Pure logic: no I/O, no clock (stamps come with the packets).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <span>
#include <unordered_map>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/emulation/packet_burst.hpp"

namespace stackprint::emulation {

struct FairInboxLimits {
  std::size_t per_destination = 64;
  std::size_t total = 4096;
};

struct FairInboxStats {
  std::uint64_t dropped = 0; // packets refused because their destination's queue or the inbox was full
  std::size_t peak = 0;      // the most packets queued at once
};

// The IPv4 destination address (host order) of a packet, or 0 when it is too short to hold one
// (such packets share one queue; the responder counts them as malformed when their turn comes).
[[nodiscard]] std::uint32_t destination_of(std::span<const std::uint8_t> bytes);

class FairInbox {
public:
  explicit FairInbox(FairInboxLimits limits = {}) : m_limits(limits) {}

  // Queues `packet` behind the others for its destination. False (counted in stats().dropped)
  // when that destination already has per_destination packets queued or the inbox holds total.
  bool push(StampedPacket packet);
  // The oldest packet of the next destination in turn; nullopt when nothing is queued.
  [[nodiscard]] std::optional<StampedPacket> pop();

  [[nodiscard]] std::size_t size() const { return m_size; }
  [[nodiscard]] bool empty() const { return m_size == 0; }
  // Room left in the inbox as a whole (what one read burst may add at most).
  [[nodiscard]] std::size_t room() const { return m_limits.total - m_size; }
  [[nodiscard]] const FairInboxStats& stats() const { return m_stats; }

private:
  FairInboxLimits m_limits;
  std::unordered_map<std::uint32_t, std::deque<StampedPacket>> m_queues; // only non-empty queues
  std::deque<std::uint32_t> m_turns; // destinations with queued packets, next to serve first
  std::size_t m_size = 0;
  FairInboxStats m_stats;
};

struct TimedReply {
  Timestamp due;
  std::uint64_t order = 0; // FIFO among equal due times
  std::vector<std::uint8_t> bytes;
  bool operator>(const TimedReply& other) const { return due != other.due ? due > other.due : order > other.order; }
};

class ReplyQueue {
public:
  explicit ReplyQueue(std::size_t limit = 8192) : m_limit(limit) {}

  // Queues `bytes` to be sent at `due`; false (counted in dropped()) when `limit` replies wait already.
  bool push(Timestamp due, std::vector<std::uint8_t> bytes);
  // The reply due first, if it is due at `now` (nullptr otherwise); pop() removes it.
  [[nodiscard]] const std::vector<std::uint8_t>* due(Timestamp now) const;
  void pop();
  // When the earliest reply is due; nullopt when none waits.
  [[nodiscard]] std::optional<Timestamp> next_due() const;

  [[nodiscard]] std::size_t size() const { return m_queue.size(); }
  [[nodiscard]] std::uint64_t dropped() const { return m_dropped; }

private:
  std::size_t m_limit;
  std::priority_queue<TimedReply, std::vector<TimedReply>, std::greater<>> m_queue;
  std::uint64_t m_order = 0;
  std::uint64_t m_dropped = 0;
};

} // namespace stackprint::emulation
