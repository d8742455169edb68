#pragma once
// The io loop of `stackprint emulate`: it pumps an emulation::EmulatorService over the TUN device.
// Each turn writes every reply that is due, then reads every packet already queued on the device
// (waiting for the first one until the next reply is due, at most `max_wait`, not at all while
// packets read earlier are still unanswered), stamping each as it is read, and answers one. The
// service decides everything else. Bounded in time (`max_duration`) besides `stop`.
//
// Why not the scan's loop (io/scan_loop): the two pump different machines over different devices
// with different duties. The scan's loop reports each probe's send time back and narrows the
// capture; this one has to read a whole burst before answering (the emulated clocks are read at each
// packet's stamp, emulation/packet_burst.hpp) and answers one packet per turn so that replies that
// fell due meanwhile leave on time. Both keep the loop in io/ and the decisions in a sans-I/O stage.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "stackprint/base/expected.hpp"
#include "stackprint/emulation/emulator_service.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/tun_device.hpp"

namespace stackprint::io {

struct EmulatorLoopLimits {
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24 * 365);
  // Longest single wait for a packet, so that `stop` is noticed promptly.
  std::chrono::milliseconds max_wait{100};
  // Packets read from the device in one go, at most: the kernel queue is drained between two
  // answers, so a flood costs reads and drops in the inbox instead of filling the kernel queue,
  // where it would push out the probes for the other addresses.
  std::size_t max_read_batch = 256;
  std::function<bool()> stop; // polled once per turn; optional
};

struct EmulatorLoopStats {
  std::uint64_t packets_read = 0;
  std::uint64_t replies_written = 0;
  std::uint64_t write_errors = 0; // replies the device refused (counted, not fatal)
  bool stopped = false;           // `stop` said so
};

// Serves until `stop` says so or `max_duration` has passed. Errors: a read from the device failing.
[[nodiscard]] Expected<EmulatorLoopStats> serve_emulator(TunDevice& tun, emulation::EmulatorService& service,
                                                         const Clock& clock, const EmulatorLoopLimits& limits);

} // namespace stackprint::io
