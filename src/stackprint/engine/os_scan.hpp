#pragma once
// OS detection of many hosts at once, sans-I/O: one HostOsScan per host in flight, served
// round-robin, under the scan's one send-rate limit (--max-rate, engine/rate_limiter.hpp, which port
// discovery draws from too) and each host's own window and gaps. Hosts are added as the shell
// streams them in and taken out as soon as they finish, so memory is bounded by the hosts in
// flight, not by the target list.
//
// Admission (docs/congestion.md): under a rate limit, an added host waits until the rate can carry
// it: until the hosts sending, one more included, need no more packets per second than the rate
// (at the packets per host-second measured so far), and no SEQ probe had to wait for a token
// during the last SEQ gap. Otherwise delayed SEQ probes would break trains that then have to be re-sent.
// SEQ probes are served before the other probes, for the same reason.
//
//   OsScan scan(config, judge, seed);
//   scan.add_host(target, now, wall_now);
//   loop: for (auto& p : scan.tick(now, wall_now)) send(p.bytes);
//         for (auto& frame : captured) scan.on_frame(frame, now);
//         for (auto& host : scan.take_finished()) report(host);
//         sleep until scan.next_wakeup() or a frame arrives.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/engine/host_os_scan.hpp"
#include "stackprint/engine/rate_limiter.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {

struct RateLimit {
  double packets_per_second = 0.0; // 0: unlimited
  double burst = 0.0;              // packets that may go out back to back; 0: RateLimiter's share of the rate
};

// What the admission rule weighs (see the top of this file).
struct AdmissionState {
  double rate = 0.0; // packets per second; 0: unlimited
  std::size_t hosts_sending = 0;
  double packets_per_host_second = 0.0; // the demand of one host in OS detection
  bool deferred_recently = false;       // a SEQ probe waited for a token within the last SEQ gap
};
// Whether one more host may start OS detection. With no host sending, always (progress).
[[nodiscard]] bool admit_one_more(const AdmissionState& state);

// Packets per host-second assumed before enough has been measured: one round is ~19 probes (6 SEQ
// 100 ms apart, then the TUI probes 25 ms apart and the wait for their last replies) in ~1 s.
inline constexpr double k_prior_packets_per_host_second = 20.0;

class OsScan {
public:
  OsScan(OsScanConfig config, RoundJudge judge, std::uint64_t seed, RateLimit rate = {});

  // Starts OS detection of one more host, or queues it until the rate admits it (its clock, and
  // its host timeout, start at admission). A host already in flight or queued is ignored.
  void add_host(const HostTarget& target, Instant now, Timestamp wall_now);

  // Packets to send now. Hosts are served in a fixed order while the rate limit lets every host
  // send; when it runs out, the next tick starts with the first host left out (fairness). A fixed
  // order keeps each host at the same place in every burst of SEQ probes (all hosts of a group
  // send their trains in step), as Nmap's host loop does: a target whose ISN clock is read when
  // it processes the probe (a busy router, the single-threaded emulator) would otherwise see the
  // place change by whole bursts of packets between two probes, and SP/ISR with it.
  //
  // Serve::seq_trains (under a rate limit) serves only the hosts sending a SEQ train, so that the
  // shell can give the tokens left to other probes it ranks above the rest of OS detection (port
  // discovery, scan_session.hpp) before it calls tick() again for every host.
  enum class Serve { all, seq_trains };
  [[nodiscard]] std::vector<OutgoingPacket> tick(Instant now, Timestamp wall_now, Serve serve = Serve::all);

  // One packet returned by tick() is going out now: the clocks read right before its send call
  // (HostOsScan::on_sent). Packets of hosts no longer in flight are ignored.
  void on_sent(const OutgoingPacket& packet, Instant now, Timestamp wall_now);

  // A captured frame: parsed here and handed to the host it came from. Dropped and counted:
  // malformed frames (including a bad IP header checksum), IP fragments, frames from addresses not
  // in flight, and frames that answer another in-flight host's probe (see below).
  void on_frame(const CapturedFrame& frame, Instant now);

  // Hosts that finished since the last call, in the order they finished.
  [[nodiscard]] std::vector<HostOsScan> take_finished();

  [[nodiscard]] std::optional<Instant> next_wakeup() const;
  // Hosts in OS detection, admitted or waiting for admission.
  [[nodiscard]] std::size_t hosts_in_flight() const { return m_hosts.size() + m_waiting.size(); }
  [[nodiscard]] std::size_t hosts_sending() const { return m_hosts.size(); }
  [[nodiscard]] std::size_t hosts_waiting() const { return m_waiting.size(); }

  // The scan's one rate limiter: port discovery takes its tokens here too.
  [[nodiscard]] RateLimiter& rate_limiter() { return m_limiter; }
  [[nodiscard]] const RateLimiter& rate_limiter() const { return m_limiter; }
  // The congestion controller's rate (0: unlimited).
  void set_rate(double packets_per_second, Instant now) { m_limiter.set_rate(packets_per_second, now); }
  // Packets per host-second the admission rule assumes now.
  [[nodiscard]] double packets_per_host_second() const;
  // Congestion signals over every host so far (HostOsScan::lost_sends, answered_probes).
  [[nodiscard]] std::uint64_t lost_sends() const;
  [[nodiscard]] std::uint64_t answered_probes() const;
  // The hosts sending.
  [[nodiscard]] std::vector<const HostOsScan*> hosts() const;
  [[nodiscard]] std::uint64_t malformed_frames() const { return m_malformed; }
  [[nodiscard]] std::uint64_t foreign_frames() const { return m_foreign; }
  [[nodiscard]] std::uint64_t fragment_frames() const { return m_fragments; }
  // Frames claiming to come from one host in flight while naming the probes of another: TCP
  // sequence or acknowledgment numbers, or an ICMP echo identifier, of the other host's round and
  // not of its own. Spoofed or misdirected answers.
  [[nodiscard]] std::uint64_t cross_host_frames() const { return m_cross_host; }
  [[nodiscard]] std::uint64_t packets_sent() const { return m_sent; }

private:
  void admit(Instant now, Timestamp wall_now);
  [[nodiscard]] bool answers_another_host(const wire::Ipv4Packet& packet, std::size_t claimed) const;

  OsScanConfig m_config;
  RoundJudge m_judge;
  std::uint64_t m_seed;
  RateLimiter m_limiter;
  std::deque<HostTarget> m_waiting; // added, not yet admitted
  std::unordered_map<std::uint32_t, bool> m_waiting_index;
  std::optional<Instant> m_last_deferral; // a due SEQ probe found no token
  std::optional<Instant> m_last_tick;
  double m_host_seconds = 0.0; // hosts sending, integrated over time
  std::uint64_t m_lost_done = 0;
  std::uint64_t m_answered_done = 0;
  // A host in flight with what tick() and next_wakeup() read of it on every turn, kept beside the
  // pointer: with thousands of hosts in flight, asking each host (a pointer away, its TUI probes
  // walked) on every turn cost a tenth of the scanner's CPU (docs/benchmarks.md, Scale).
  struct InFlight {
    std::unique_ptr<HostOsScan> scan; // by pointer: cheap to compact (tick)
    std::optional<Instant> wake;      // scan->next_wakeup(), refreshed whenever the host changes
    bool touched = true;              // changed since its last tick (added, a reply, a send)
    bool seq = false;                 // scan->sending_seq_train(), refreshed after each tick
    bool done = false;                // scan->done(), refreshed after each tick
  };
  // Refreshes the cached wake-up and SEQ state of a host after something changed it.
  static void refresh(InFlight& host);

  std::vector<InFlight> m_hosts;
  std::unordered_map<std::uint32_t, std::size_t> m_index;
  std::size_t m_next_host = 0;
  std::vector<HostOsScan> m_finished;
  std::uint64_t m_malformed = 0;
  std::uint64_t m_foreign = 0;
  std::uint64_t m_fragments = 0;
  std::uint64_t m_cross_host = 0;
  std::uint64_t m_sent = 0;
  std::uint64_t m_added = 0;
};

} // namespace stackprint::engine
