#pragma once
// SYN/ACK retransmission of an emulated host (docs/emulator-timing.md "SYN/ACK retransmission").
//
// A real stack that answers a SYN on an open port with a SYN/ACK keeps the half-open connection and
// sends the SYN/ACK again when nothing comes back: first after an initial timeout, then after twice
// as long, a fixed number of times, unless the peer answers (a RST, or the ACK that completes the
// handshake). Nmap's raw-socket scans leave the answer to the scanner's kernel, which resets every
// SYN/ACK it did not ask for, so retransmissions are only seen when a SYN/ACK or that reset is lost.
//
// Pure and told the time: the Responder adds a SYN/ACK as it sends it, stops it when the peer
// answers, and takes the copies that are due; refreshing TSval and IP ID is the Responder's job.
// Bounded: at most `capacity` half-open connections, the oldest dropped (and counted) first.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

// When a lost SYN/ACK is sent again: `first` after the original, then each wait doubles, `retries` times.
// The same SYN again while the connection is pending is answered at once with its SYN/ACK, except
// when an earlier repeat was answered less than `repeat_gap` ago (then it gets nothing); with
// `repeat_restarts_timer` an answered repeat restarts the timer: the next copy comes the current wait
// after it (docs/emulator-timing.md "The same SYN again"). With `hold_after_last` the connection is
// kept one more (doubled) wait after the last copy, still answering repeats, before it is forgotten.
// With `repeat_counts_as_retry` an answered repeat is a retransmission too: it uses one of the
// `retries` and doubles the wait that follows the next copy, without moving that copy. A non-zero
// `forget_after_syn` forgets the connection that long after the peer's last SYN (the first or a
// repeat, answered or not), whatever copies are left (docs/emulator-timing.md "lwIP").
// A non-zero `tick` runs the host's timers on a clock like lwIP's: a call every half tick while any
// connection is pending (and up to the next call after the last one goes), every second call a tick;
// copies and forgetting happen on ticks only, `first` and `forget_after_syn` counted in whole ticks
// (docs/emulator-timing.md "lwIP's timer").
struct RetransmissionModel {
  std::chrono::microseconds first{1'000'000};
  int retries = 5;
  std::chrono::microseconds repeat_gap{0};
  bool repeat_restarts_timer = false;
  bool hold_after_last = false;
  bool repeat_counts_as_retry = false;
  std::chrono::microseconds forget_after_syn{0};
  std::chrono::microseconds tick{0};
  friend bool operator==(const RetransmissionModel&, const RetransmissionModel&) = default;
};

enum class RetransmissionFamily : std::uint8_t { linux_kernel, windows, lwip, other };

// The family whose model a reference follows, from its Class lines: Linux (or Android) when any class
// names it, else Windows when any class names it, else lwIP when any class names it, else other (BSD,
// macOS, other embedded stacks, ...).
[[nodiscard]] RetransmissionFamily retransmission_family(const database::Reference& reference);
// Linux: 1 s, 5 retries, repeats answered at most every 500 ms and restarting the timer, the
// connection held 32 s after the last copy; Windows: 3 s, 2 retries; other: 3 s, 3 retries; these two
// answer every repeat, keep their timer and forget the connection with its last copy
// (docs/emulator-timing.md "The same SYN again"). lwIP: 3 s, 12 retries counting answered repeats,
// every repeat answered, the timer kept, the connection forgotten 20 s after the peer's last SYN,
// all on a 500 ms tick (docs/emulator-timing.md "lwIP").
[[nodiscard]] RetransmissionModel retransmission_model(RetransmissionFamily family);
[[nodiscard]] std::string_view to_string(RetransmissionFamily family);

struct RetransmissionStats {
  std::uint64_t scheduled = 0;     // SYN/ACKs added
  std::uint64_t retransmitted = 0; // copies handed out by take_due()
  std::uint64_t stopped = 0;       // the peer answered (RST or ACK) before the connection was forgotten
  std::uint64_t exhausted = 0;     // every retry sent, connection forgotten (after the hold, if any)
  std::uint64_t replaced = 0;      // a new SYN/ACK on the same connection took the place of the old one
  std::uint64_t evicted = 0;       // dropped, oldest first, because `capacity` were pending
  std::uint64_t repeated = 0;      // the peer sent its SYN again and got the pending SYN/ACK again
  std::uint64_t repeat_held = 0;   // the peer sent its SYN again within repeat_gap: no answer
  std::uint64_t expired = 0;       // forgotten forget_after_syn after the peer's last SYN
  RetransmissionStats& operator+=(const RetransmissionStats& o) {
    scheduled += o.scheduled;
    retransmitted += o.retransmitted;
    stopped += o.stopped;
    exhausted += o.exhausted;
    replaced += o.replaced;
    evicted += o.evicted;
    repeated += o.repeated;
    repeat_held += o.repeat_held;
    expired += o.expired;
    return *this;
  }
};

// One SYN/ACK due to be sent again, as the Responder sent it.
struct DueSynAck {
  wire::Ipv4Packet packet;
  std::optional<std::size_t> timestamp_offset; // what the Responder passed to add()
  int retry = 0;                               // 1 for the first retransmission
  Timestamp first_sent{};                      // when the original went out
};

// What the same SYN again meets: no pending connection (it is a new attempt), its SYN/ACK to send
// again at once, or nothing (held back: an earlier repeat was answered less than repeat_gap ago).
struct RepeatedSyn {
  enum class Outcome : std::uint8_t { not_pending, answered, held_back };
  Outcome outcome = Outcome::not_pending;
  std::optional<DueSynAck> syn_ack; // set when answered
};

class RetransmissionQueue {
public:
  static constexpr std::size_t k_default_capacity = 128;

  explicit RetransmissionQueue(RetransmissionModel model, std::size_t capacity = k_default_capacity);

  // A SYN/ACK sent at `sent_at` (addressed to the peer). `timestamp_offset` is handed back with each
  // copy (the offset of its timestamp option in options_raw, when TSval must be refreshed). Packets
  // that are not TCP SYN/ACKs are ignored.
  void add(const wire::Ipv4Packet& syn_ack, Timestamp sent_at, std::optional<std::size_t> timestamp_offset);

  // The peer `peer`:`peer_port` answered the connection to our `local_port` at `now`: no more copies.
  // Returns whether one was pending.
  bool stop(std::uint32_t peer, std::uint16_t peer_port, std::uint16_t local_port, Timestamp now);

  // The peer sent the SYN of a pending connection again at `now` (same ports, same sequence number):
  // the SYN/ACK to send again at once, as a stack answers a retransmitted SYN from its pending request
  // (same ISN), unless the model's repeat_gap holds it back; an answer restarts the timer when the
  // model says so. not_pending when nothing is pending for these ports or the SYN's sequence number
  // is another (a new connection attempt).
  [[nodiscard]] RepeatedSyn repeat(std::uint32_t peer, std::uint16_t peer_port, std::uint16_t local_port,
                                   std::uint32_t peer_sequence, Timestamp now);

  // Copies whose time has come by `now` (each at most once per call); the next wait is counted from
  // `now`, as a kernel re-arms its timer when it fires. Connections whose hold after the last copy is
  // over are forgotten.
  [[nodiscard]] std::vector<DueSynAck> take_due(Timestamp now);

  // When take_due() next has something to do; nullopt when nothing is pending.
  [[nodiscard]] std::optional<Timestamp> next_due() const;

  [[nodiscard]] std::size_t pending() const { return m_entries.size(); }
  [[nodiscard]] const RetransmissionStats& stats() const { return m_stats; }
  [[nodiscard]] const RetransmissionModel& model() const { return m_model; }

private:
  struct Entry {
    std::uint32_t peer = 0;
    std::uint16_t peer_port = 0;
    std::uint16_t local_port = 0;
    wire::Ipv4Packet packet;
    std::optional<std::size_t> timestamp_offset;
    Timestamp due{};
    std::chrono::microseconds wait{};
    int sent = 0; // retransmissions so far
    Timestamp first_sent{};
    std::optional<Timestamp> last_repeat; // when a repeated SYN was last answered
    Timestamp last_syn{};                 // when the peer's SYN last came (forget_after_syn)
  };

  // When the entry is forgotten for the peer's silence; nullopt without forget_after_syn.
  [[nodiscard]] std::optional<Timestamp> forget_at(const Entry& e) const;
  // With a tick: starts the timer for a connection added at `now` unless it still runs.
  void start_timer(Timestamp now);
  // With a tick: the first tick strictly after `t` (the timer runs).
  [[nodiscard]] Timestamp tick_after(Timestamp t) const;
  // Erases `it` at `when`; with a tick, notes when the queue went empty.
  std::deque<Entry>::iterator erase(const std::deque<Entry>::iterator& it, Timestamp when);

  RetransmissionModel m_model;
  std::size_t m_capacity;
  std::deque<Entry> m_entries; // oldest first
  RetransmissionStats m_stats;
  // The tick clock (only with a tick). While it runs, ticks fall on m_tick_phase + k * tick, and
  // the half-tick calls between them. It stops at the first call after the queue went empty
  // (m_emptied_at); after a stop the next start's first tick comes a half tick later when the stop
  // fell between ticks, a whole tick later when it fell on one (lwIP counts its calls on).
  std::optional<Timestamp> m_tick_phase;
  std::optional<Timestamp> m_emptied_at;
  bool m_stopped_on_tick = false;
};

} // namespace stackprint::emulation
