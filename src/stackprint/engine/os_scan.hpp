#pragma once
// OS detection of many hosts at once, sans-I/O: one HostOsScan per host in flight, served
// round-robin, under a global send-rate limit (--max-rate) and each host's own window and gaps.
// Hosts are added as the shell streams them in and taken out as soon as they finish, so memory
// is bounded by the hosts in flight, not by the target list.
//
//   OsScan scan(config, judge, seed);
//   scan.add_host(target, now, wall_now);
//   loop: for (auto& p : scan.tick(now, wall_now)) send(p.bytes);
//         for (auto& frame : captured) scan.on_frame(frame, now);
//         for (auto& host : scan.take_finished()) report(host);
//         sleep until scan.next_wakeup() or a frame arrives.

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/engine/host_os_scan.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::engine {

struct RateLimit {
  double packets_per_second = 0.0; // 0: unlimited
  double burst = 10.0;             // packets that may go out back to back
};

class OsScan {
public:
  OsScan(OsScanConfig config, RoundJudge judge, std::uint64_t seed, RateLimit rate = {});

  // Starts OS detection of one more host. A host already in flight is ignored.
  void add_host(const HostTarget& target, Instant now, Timestamp wall_now);

  // Packets to send now. Hosts are served in a fixed order while the rate limit lets every host
  // send; when it runs out, the next tick starts with the first host left out (fairness). A fixed
  // order keeps each host at the same place in every burst of SEQ probes (all hosts of a group
  // send their trains in step), as Nmap's host loop does: a target whose ISN clock is read when
  // it processes the probe (a busy router, the single-threaded emulator) would otherwise see the
  // place change by whole bursts of packets between two probes, and SP/ISR with it.
  [[nodiscard]] std::vector<OutgoingPacket> tick(Instant now, Timestamp wall_now);

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
  [[nodiscard]] std::size_t hosts_in_flight() const { return m_hosts.size(); }
  [[nodiscard]] const std::vector<HostOsScan>& hosts() const { return m_hosts; }
  [[nodiscard]] std::uint64_t malformed_frames() const { return m_malformed; }
  [[nodiscard]] std::uint64_t foreign_frames() const { return m_foreign; }
  [[nodiscard]] std::uint64_t fragment_frames() const { return m_fragments; }
  // Frames claiming to come from one host in flight while naming the probes of another: TCP
  // sequence or acknowledgment numbers, or an ICMP echo identifier, of the other host's round and
  // not of its own. Spoofed or misdirected answers.
  [[nodiscard]] std::uint64_t cross_host_frames() const { return m_cross_host; }
  [[nodiscard]] std::uint64_t packets_sent() const { return m_sent; }

private:
  void refill(Instant now);
  [[nodiscard]] bool answers_another_host(const wire::Ipv4Packet& packet, std::size_t claimed) const;

  OsScanConfig m_config;
  RoundJudge m_judge;
  std::uint64_t m_seed;
  RateLimit m_rate;
  double m_tokens;
  std::optional<Instant> m_last_refill;
  std::vector<HostOsScan> m_hosts;
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
