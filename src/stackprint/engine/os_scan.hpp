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

  // Packets to send now.
  [[nodiscard]] std::vector<OutgoingPacket> tick(Instant now, Timestamp wall_now);

  // A captured frame: parsed here (malformed frames are counted and dropped) and handed to the
  // host it came from; frames from other addresses are counted and dropped.
  void on_frame(const CapturedFrame& frame, Instant now);

  // Hosts that finished since the last call, in the order they finished.
  [[nodiscard]] std::vector<HostOsScan> take_finished();

  [[nodiscard]] std::optional<Instant> next_wakeup() const;
  [[nodiscard]] std::size_t hosts_in_flight() const { return m_hosts.size(); }
  [[nodiscard]] std::uint64_t malformed_frames() const { return m_malformed; }
  [[nodiscard]] std::uint64_t foreign_frames() const { return m_foreign; }
  [[nodiscard]] std::uint64_t packets_sent() const { return m_sent; }

private:
  void refill(Instant now);

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
  std::uint64_t m_sent = 0;
  std::uint64_t m_added = 0;
};

} // namespace stackprint::engine
