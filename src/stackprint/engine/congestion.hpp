#pragma once
// Congestion control of a scan, sans-I/O (docs/congestion.md): AIMD on the number of hosts in
// flight and on the send rate, evaluated every `interval` from cumulative counters the shell reads:
//   - sends of OS probes that should have been answered and were not (a probe answered only after
//     a re-send, a SEQ slot of an open port with no reply): the path or the target dropped them;
//   - frames the capture dropped (pcap's kernel counter): we could not read as fast as replies came.
// An interval is congested when the capture dropped frames, or when at least `min_samples` probes
// were judged and the share of lost sends exceeds the loss floor by more than `loss_threshold`. The
// floor is the share still lost while the host limit is at its minimum and no more hosts than that
// are in flight (random loss of the path, which fewer hosts do not cure); it starts at 0.
// The host limit starts at `initial_hosts` (at most `max_hosts`) and, until the first cut, doubles
// after each clean interval in which the hosts in flight filled 3/4 of it (slow start): hosts already
// in flight are never evicted, so a scan that put a whole --group-size in flight at once would
// overwhelm a slow path before its first loss could be seen.
// On congestion (at most once per `hold`, since losses are seen a probe timeout late): the host limit
// becomes half the hosts in flight (not below `min_hosts`) and the rate three quarters of the rate
// measured over the interval (not below `min_rate`). After a cut, a clean interval in which the
// hosts in flight filled at least 3/4 of the limit grows it by `max_hosts / 32` (at least 4) up to
// `max_hosts`, and a reduced rate by 1/16 of the rate it was cut from, until it reaches `max_rate`
// again (or, with no --max-rate, the rate it was cut from, where the limit is lifted).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace stackprint::engine {

// Hosts in flight at most when the user names no --group-size (docs/benchmarks.md, Scale): the
// bound of memory, and the ceiling that congestion control grows the host limit back to.
inline constexpr std::size_t k_default_group_size = 4096;

struct CongestionConfig {
  std::chrono::steady_clock::duration interval = std::chrono::milliseconds(500);
  std::chrono::steady_clock::duration hold = std::chrono::seconds(1);
  std::size_t max_hosts = k_default_group_size; // --group-size
  std::size_t min_hosts = 16;
  std::size_t initial_hosts = 128; // slow start: doubles per clean interval until the first cut
  double max_rate = 0.0;           // --max-rate; 0: unlimited
  double min_rate = 0.0;           // --min-rate; 0: none
  double loss_threshold = 0.05;
  std::uint64_t min_samples = 40;
};

// Cumulative counters since the scan began, read by the shell at each evaluation.
struct CongestionSample {
  std::uint64_t lost_sends = 0;               // sends of probes that should answer but were not answered
  std::uint64_t answered_probes = 0;          // probes answered
  std::optional<std::uint64_t> capture_drops; // nullopt when the capture has no counter
  std::uint64_t packets_sent = 0;
  std::size_t hosts_in_flight = 0;
};

struct CongestionDecision {
  enum class Kind { shrink, grow };
  Kind kind = Kind::grow;
  std::size_t hosts_limit = 0;
  double rate = 0.0; // 0: unlimited
  // What the interval showed.
  std::uint64_t lost = 0;
  std::uint64_t judged = 0; // lost + answered
  std::uint64_t drops = 0;
  double sent_rate = 0.0; // packets per second over the interval
  std::size_t hosts_in_flight = 0;
};

// One line for -v output: "congestion: shrink: 12/300 sends lost, 0 capture drops, ... -> 256 hosts, 450/s".
[[nodiscard]] std::string describe(const CongestionDecision& decision);

class CongestionController {
public:
  using Instant = std::chrono::steady_clock::time_point;

  explicit CongestionController(CongestionConfig config);

  // Whether on_sample would evaluate at `now` (the shell reads the counters only then).
  [[nodiscard]] bool due(Instant now) const { return !m_last_eval || now - *m_last_eval >= m_config.interval; }
  // Reads the counters; once per interval it decides, and returns the decision when the limits
  // changed.
  [[nodiscard]] std::optional<CongestionDecision> on_sample(const CongestionSample& sample, Instant now);

  [[nodiscard]] std::size_t hosts_limit() const { return m_hosts_limit; }
  // The rate the scan may send at; 0: unlimited.
  [[nodiscard]] double rate() const { return m_rate; }
  [[nodiscard]] double loss_floor() const { return m_floor; }
  [[nodiscard]] std::uint64_t shrinks() const { return m_shrinks; }

private:
  CongestionConfig m_config;
  std::size_t m_hosts_limit;
  double m_rate;
  double m_rate_before_cut = 0.0; // the rate a cut started from (the step and ceiling of growth)
  double m_floor = 0.0;
  std::optional<Instant> m_last_eval;
  std::optional<Instant> m_last_cut;
  CongestionSample m_last{};
  std::uint64_t m_shrinks = 0;
};

} // namespace stackprint::engine
