#pragma once
// What `stackprint emulate` does with the packets it reads, as a sans-I/O state machine: every
// emulated host's responder, impairments, hostile behaviour and ICMP error limit, the fair inbox of
// packets read and not answered yet, the queue of replies waiting for their due time and the SYN/ACK
// retransmissions the hosts owe. It is handed stamped packets and told the time; io/emulator_loop
// moves the packets between it and the TUN device. docs/emulator-timing.md.
//
// Order of work, which the emulated clocks depend on (emulation/packet_burst.hpp): the loop reads
// every packet already queued (each stamped as it is read) before the next one is answered, and a
// packet is answered at its stamp, not at the time its turn comes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/emulation/fair_inbox.hpp"
#include "stackprint/emulation/hostile.hpp"
#include "stackprint/emulation/icmp_error_limit.hpp"
#include "stackprint/emulation/impairments.hpp"
#include "stackprint/emulation/packet_burst.hpp"
#include "stackprint/emulation/responder.hpp"

namespace stackprint::emulation {

struct EmulatedHost {
  Responder responder;
  Impairer impairer;
  std::optional<HostileHost> hostile;
  std::optional<IcmpErrorLimiter> icmp_errors; // --limit-icmp-errors
};

struct EmulatorLimits {
  // Packets read and not answered yet: per destination address and in all (fair_inbox.hpp).
  FairInboxLimits inbox{64, 4096};
  // Answers waiting for their due time (delays, late hostile copies), at most.
  std::size_t max_pending_replies = 8192;
};

// Packets read that got no answer for a reason of their own (besides the responder's own silence).
struct EmulatorCounters {
  std::uint64_t malformed = 0;           // not an IPv4 packet we can parse
  std::uint64_t unknown_destination = 0; // for an address nobody emulates
  std::uint64_t filtered = 0;            // dropped by the host's emulated firewall (--filter, --default-deny)
  std::uint64_t icmp_errors_limited = 0; // ICMP errors held back by --limit-icmp-errors
};

class EmulatorService {
public:
  explicit EmulatorService(EmulatorLimits limits = {});

  // A host to serve; a second host for the same address replaces the first.
  void add_host(std::uint32_t address, EmulatedHost host);
  // `spy` (a hostile host) overhears the probes sent to `neighbour` (emulation/hostile.hpp, spoof).
  void add_overhearer(std::uint32_t neighbour, std::uint32_t spy);

  // A packet read from the wire; queued behind the others for its destination (dropped and counted
  // in inbox_stats() when the inbox is full).
  void receive(StampedPacket packet);
  [[nodiscard]] bool has_unanswered() const { return !m_inbox.empty(); }
  // Answers the next queued packet (fair across destinations) at its stamp; its replies wait for
  // their due time in the reply queue. Nothing when the inbox is empty.
  void answer_next();
  // The SYN/ACK copies due by `now` are scheduled (loss and delay apply to them as to any reply),
  // then every reply due by `now` is handed out, earliest first.
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> take_due(Timestamp now);
  // When the next reply or retransmission is due; nullopt when nothing waits.
  [[nodiscard]] std::optional<Timestamp> next_due() const;

  [[nodiscard]] const std::unordered_map<std::uint32_t, EmulatedHost>& hosts() const { return m_hosts; }
  [[nodiscard]] const EmulatorCounters& counters() const { return m_counters; }
  [[nodiscard]] const FairInboxStats& inbox_stats() const { return m_inbox.stats(); }
  [[nodiscard]] std::uint64_t replies_dropped() const { return m_pending.dropped(); }

private:
  // When a host has SYN/ACKs to send again (one entry per host and time; stale ones skipped).
  struct Wakeup {
    Timestamp due;
    std::uint32_t address = 0;
    bool operator>(const Wakeup& other) const { return due > other.due; }
  };

  void answer(Timestamp read_at, const std::vector<std::uint8_t>& bytes);
  void note_wakeup(std::uint32_t address, const EmulatedHost& host);

  std::unordered_map<std::uint32_t, EmulatedHost> m_hosts;
  // The retransmission time queued for each host that has one.
  std::unordered_map<std::uint32_t, Timestamp> m_wakeup_of;
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> m_overhearers;
  FairInbox m_inbox;
  ReplyQueue m_pending;
  std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> m_wakeups;
  EmulatorCounters m_counters;
};

} // namespace stackprint::emulation
