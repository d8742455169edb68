#include "stackprint/io/clock.hpp"

namespace stackprint::io {

MonotonicTime SystemClock::monotonic_now() const { return std::chrono::steady_clock::now(); }

Timestamp SystemClock::wall_now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

} // namespace stackprint::io
