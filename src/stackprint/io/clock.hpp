#pragma once
// The clocks, behind a small interface: the shell reads them and passes the values into pure code
// (schedulers and state machines take `now` as an argument and never read a clock themselves).

#include <chrono>

#include "stackprint/base/frame.hpp"

namespace stackprint::io {

// A point on the monotonic clock: for deadlines, timeouts and send spacing. Never jumps.
using MonotonicTime = std::chrono::steady_clock::time_point;

class Clock {
public:
  virtual ~Clock() = default;
  // Monotonic time, for measuring intervals.
  [[nodiscard]] virtual MonotonicTime monotonic_now() const = 0;
  // Wall-clock time (microseconds since the Unix epoch), the time base of captured frames; may jump.
  [[nodiscard]] virtual Timestamp wall_now() const = 0;
};

// The real clocks (CLOCK_MONOTONIC and CLOCK_REALTIME).
class SystemClock final : public Clock {
public:
  [[nodiscard]] MonotonicTime monotonic_now() const override;
  [[nodiscard]] Timestamp wall_now() const override;
};

// A clock that moves only when told: for tests and for replaying recorded exchanges.
class ManualClock final : public Clock {
public:
  ManualClock(MonotonicTime monotonic, Timestamp wall) : m_monotonic(monotonic), m_wall(wall) {}
  [[nodiscard]] MonotonicTime monotonic_now() const override { return m_monotonic; }
  [[nodiscard]] Timestamp wall_now() const override { return m_wall; }
  // Moves both clocks forward by `step` (must be non-negative).
  void advance(std::chrono::microseconds step) {
    m_monotonic += step;
    m_wall += step;
  }

private:
  MonotonicTime m_monotonic;
  Timestamp m_wall;
};

} // namespace stackprint::io
