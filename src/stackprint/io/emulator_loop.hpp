#pragma once
// `stackprint emulate` on the one io loop (io/pump.hpp): an emulation::EmulatorService over its TUN
// device. Each turn answers the next packet read (at its stamp) and writes every reply that is due,
// then reads every packet already queued on the device (waiting for the first one until the next
// reply is due, at most `max_wait`, not at all while packets read earlier are still unanswered),
// stamping each as it is read. The service decides everything else. Bounded in time
// (`max_duration`) besides `stop`.
//
// What is the emulator's own, in its stage and its transport: a whole burst is read before any of it
// is answered (the emulated clocks are read at each packet's stamp, emulation/packet_burst.hpp), and
// one packet is answered per turn so that replies that fell due meanwhile leave on time.

#include <chrono>
#include <cstddef>
#include <functional>

#include "stackprint/base/expected.hpp"
#include "stackprint/emulation/emulator_service.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/pump.hpp"
#include "stackprint/io/transport.hpp"
#include "stackprint/io/tun_device.hpp"

namespace stackprint::io {

// The TUN device as a Transport: a packet the device refuses is counted as refused (not fatal);
// wait() reads a burst (emulation::read_burst), each packet stamped with the wall clock right after
// its read.
class TunTransport final : public Transport {
public:
  // Packets read in one go, at most: the kernel queue is drained between two answers, so a flood
  // costs reads and drops in the service's inbox instead of filling the kernel queue, where it would
  // push out the probes for the other addresses.
  TunTransport(TunDevice& tun, const Clock& clock, std::size_t max_read_batch = 256)
      : m_tun(tun), m_clock(clock), m_max_read_batch(max_read_batch) {}
  [[nodiscard]] Expected<SendOutcome> send(std::span<const std::uint8_t> ip_packet) override;
  [[nodiscard]] Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override;

private:
  TunDevice& m_tun;
  const Clock& m_clock;
  std::size_t m_max_read_batch;
};

struct EmulatorLoopLimits {
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24 * 365);
  // Longest single wait for a packet, so that `stop` is noticed promptly.
  std::chrono::milliseconds max_wait{100};
  std::function<bool()> stop; // polled once per turn; optional
};

// What the loop did (io/pump.hpp): frames_received are the packets read, packets_sent the replies
// written, packets_refused the replies the device refused, interrupted that `stop` said so.
using EmulatorLoopStats = PumpStats;

// Serves until `stop` says so or `max_duration` has passed, over any transport (a TunTransport, or
// an in-memory one in tests). Errors: a read from the transport failing.
[[nodiscard]] Expected<EmulatorLoopStats> serve_emulator(Transport& transport, emulation::EmulatorService& service,
                                                         const Clock& clock, const EmulatorLoopLimits& limits);

} // namespace stackprint::io
