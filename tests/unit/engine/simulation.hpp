#pragma once
// The simulated network of the engine tests: fake targets answer each packet 1 ms after it was
// sent, on a simulated clock, bounded in simulated time and in loop turns.

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <vector>

#include "fake_target.hpp"
#include "stackprint/engine/os_scan.hpp"

namespace stackprint::engine::testing {

using namespace std::chrono_literals;
using probes::ProbeId;

constexpr std::uint32_t k_us = 0x0A636401;
constexpr std::uint32_t k_target = 0x0A636402;

// The target of the simulated scans: open TCP port 80, closed 22, closed UDP 40125.
inline HostTarget lab_host(std::uint32_t address = k_target) {
  HostTarget t;
  t.address = address;
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

// Packets a hostile network injects 1 us before a reply arrives, made from that reply and the
// probe it answers (nothing for an honest network).
using Forger = std::function<std::vector<std::vector<std::uint8_t>>(const std::vector<std::uint8_t>& reply,
                                                                    const OutgoingPacket& probe)>;

inline RoundVerdict always_perfect(const fingerprint::Fingerprint&) { return RoundVerdict::perfect_match; }
inline RoundVerdict never_perfect(const fingerprint::Fingerprint&) { return RoundVerdict::no_perfect_match; }

// Runs the engine against fake targets with a simulated clock: replies come back 1 ms after each
// send. Bounded in simulated time.
struct Simulation {
  Simulation(OsScan s, std::map<std::uint32_t, FakeTarget*> t) : scan(std::move(s)), targets(std::move(t)) {}
  OsScan scan;
  std::map<std::uint32_t, FakeTarget*> targets;
  // Optional hooks: `on_send` sees every probe of a tick before any reply to them is made; `forge`
  // makes what a hostile network injects before each reply.
  std::function<void(const OutgoingPacket&)> on_send;
  Forger forge;
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
      const auto packets = scan.tick(now, wall_clock(now));
      // Every probe of this tick is sent before any reply is made.
      for (const auto& packet : packets) {
        sent.push_back({now, packet.probe, packet.destination});
        if (on_send) { on_send(packet); }
      }
      const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
      for (const auto& packet : packets) {
        for (auto& reply : targets.at(packet.destination)->answer(packet.bytes, now_s)) {
          if (forge) {
            for (auto& bad : forge(reply, packet)) { in_flight.emplace_back(now + 999us, std::move(bad)); }
          }
          in_flight.emplace_back(now + 1ms, std::move(reply));
        }
        for (auto& [after_s, bytes] : targets.at(packet.destination)->retransmissions) {
          in_flight.emplace_back(now + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(after_s)),
                                 std::move(bytes));
        }
        targets.at(packet.destination)->retransmissions.clear();
      }
      for (auto& host : scan.take_finished()) {
        finished_at[host.target().address] = now;
        finished.push_back(std::move(host));
      }
      Instant next = scan.next_wakeup().value_or(now + 10ms);
      for (const auto& [at, bytes] : in_flight) { next = std::min(next, at); }
      now = std::max(next, now + 1us);
      std::stable_sort(in_flight.begin(), in_flight.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      std::vector<std::pair<Instant, std::vector<std::uint8_t>>> later;
      for (auto& [at, bytes] : in_flight) {
        if (at <= now) {
          scan.on_frame(CapturedFrame{wall_clock(at), bytes, std::nullopt}, now);
        } else {
          later.emplace_back(at, std::move(bytes));
        }
      }
      in_flight = std::move(later);
    }
    for (auto& host : scan.take_finished()) { finished.push_back(std::move(host)); }
  }

  // The finished scan of the host at `address`, or nullptr when it did not finish.
  [[nodiscard]] const HostOsScan* finished_host(std::uint32_t address) const {
    for (const auto& host : finished) {
      if (host.target().address == address) { return &host; }
    }
    return nullptr;
  }

  // The capture timestamp of a packet seen at simulated time `at`.
  static Timestamp wall_clock(Instant at) {
    return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()));
  }
};

inline OsScanConfig config() {
  OsScanConfig c;
  c.source_address = k_us;
  return c;
}

// A simulation of one host, the fake `target` (at k_target), scanned with `judge` and seed 7 until
// it finishes; `sim.finished` holds it (or nothing when it never finished).
inline Simulation simulate_one_host(FakeTarget& target, const RoundJudge& judge,
                                    const OsScanConfig& scan_config = config()) {
  Simulation sim{OsScan(scan_config, judge, 7), {{k_target, &target}}};
  sim.scan.add_host(lab_host(), sim.now, Timestamp{});
  sim.run();
  return sim;
}

} // namespace stackprint::engine::testing
