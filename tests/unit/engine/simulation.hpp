#pragma once
// The simulated network of the engine tests: fake targets answer each packet 1 ms after it was
// sent, on a simulated clock, bounded in simulated time and in loop turns.

#include <chrono>
#include <map>
#include <vector>

#include "fake_target.hpp"
#include "stackprint/engine/os_scan.hpp"

namespace stackprint::engine::testing {

using namespace std::chrono_literals;
using probes::ProbeId;

constexpr std::uint32_t k_us = 0x0A636401;
constexpr std::uint32_t k_target = 0x0A636402;

inline HostTarget lab_host() {
  HostTarget t;
  t.address = k_target;
  t.open_tcp_port = 80;
  t.closed_tcp_port = 22;
  t.closed_tcp_known = true;
  t.closed_udp_port = 40125;
  t.closed_udp_known = true;
  t.initial_timeout = 100ms;
  return t;
}

struct Sent {
  Instant at;
  ProbeId probe;
  std::uint32_t destination = 0;
};

inline RoundVerdict always_perfect(const fingerprint::Fingerprint&) { return RoundVerdict::perfect_match; }
inline RoundVerdict never_perfect(const fingerprint::Fingerprint&) { return RoundVerdict::no_perfect_match; }

// Runs the engine against fake targets with a simulated clock: replies come back 1 ms after each
// send. Bounded in simulated time.
struct Simulation {
  Simulation(OsScan s, std::map<std::uint32_t, FakeTarget*> t) : scan(std::move(s)), targets(std::move(t)) {}
  OsScan scan;
  std::map<std::uint32_t, FakeTarget*> targets;
  std::vector<Sent> sent;
  std::vector<HostOsScan> finished;
  std::map<std::uint32_t, Instant> finished_at;
  Instant now{};
  std::size_t turns = 0; // loop turns: a wake-up that is always due would make this explode

  void run(std::chrono::seconds limit = 60s) {
    const Instant end = now + limit;
    std::vector<std::pair<Instant, std::vector<std::uint8_t>>> in_flight;
    while (scan.hosts_in_flight() > 0 && now < end) {
      ++turns;
      const auto wall = Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()));
      for (auto& packet : scan.tick(now, wall)) {
        sent.push_back({now, packet.probe, packet.destination});
        const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
        for (auto& reply : targets.at(packet.destination)->answer(packet.bytes, now_s)) {
          in_flight.emplace_back(now + 1ms, std::move(reply));
        }
      }
      for (auto& host : scan.take_finished()) {
        finished_at[host.target().address] = now;
        finished.push_back(std::move(host));
      }
      Instant next = scan.next_wakeup().value_or(now + 10ms);
      for (const auto& [at, bytes] : in_flight) { next = std::min(next, at); }
      now = std::max(next, now + 1us);
      std::vector<std::pair<Instant, std::vector<std::uint8_t>>> later;
      for (auto& [at, bytes] : in_flight) {
        if (at <= now) {
          CapturedFrame frame{Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch())),
                              bytes, std::nullopt};
          scan.on_frame(frame, now);
        } else {
          later.emplace_back(at, std::move(bytes));
        }
      }
      in_flight = std::move(later);
    }
    for (auto& host : scan.take_finished()) { finished.push_back(std::move(host)); }
  }
};

inline OsScanConfig config() {
  OsScanConfig c;
  c.source_address = k_us;
  return c;
}

} // namespace stackprint::engine::testing
