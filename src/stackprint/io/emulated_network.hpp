#pragma once
// An in-memory network of emulated hosts (emulation::Responder) behind a Transport, on a manual
// clock: what `stackprint emulate --self-check` and the whole-scan unit tests scan, with the same
// session and loop as a live scan (io/scan_loop.hpp) but no socket, no root and no waiting. Each
// reply arrives `delay` after its probe was sent; addresses without a host never answer. Time
// passes only in wait(), which jumps the clock to the next reply or the deadline.

#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "stackprint/emulation/responder.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

class EmulatedNetwork final : public Transport {
public:
  explicit EmulatedNetwork(ManualClock& clock, std::chrono::microseconds delay = std::chrono::milliseconds(1))
      : m_clock(clock), m_delay(delay) {}

  // The host answers at its responder's address (a second host there replaces the first).
  void add_host(emulation::Responder responder);

  Expected<SendOutcome> send(std::span<const std::uint8_t> bytes) override;
  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override;

  // The clock time of every send call, in order.
  [[nodiscard]] const std::vector<MonotonicTime>& sends() const { return m_sends; }
  // The most send calls within any window of `width`.
  [[nodiscard]] std::size_t peak_sends(std::chrono::steady_clock::duration width) const;

private:
  ManualClock& m_clock;
  std::chrono::microseconds m_delay;
  std::map<std::uint32_t, emulation::Responder> m_hosts;
  std::vector<MonotonicTime> m_sends;
  std::multimap<MonotonicTime, std::vector<std::uint8_t>> m_in_flight;
  std::uint64_t m_waits = 0;
};

} // namespace stackprint::io
