#pragma once
// The one io loop: it pumps a sans-I/O stage over a Transport. Each turn it asks the stage for the
// packets due now, sends them (reporting each one's send time back), waits for frames until the
// stage's next wake-up and hands them in. The stage decides everything; the loop only moves packets
// and reads clocks. Bounded in packets and in time (PumpLimits), besides `stop` and the stage's own
// end.
//
// A scan (io/scan_loop: a session::ScanSession over a LiveTransport or an EmulatedNetwork) and the
// emulator (io/emulator_loop: an emulation::EmulatorService over its TUN device) both run on it;
// what differs between them lives in their PumpedStage adapters: the scan narrows its capture and
// reads the capture's drop counter, the emulator answers one packet per turn and asks for no wait
// while packets it read are still unanswered.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

// A sans-I/O stage as the loop sees it.
class PumpedStage {
public:
  PumpedStage() = default;
  PumpedStage(const PumpedStage&) = delete;
  PumpedStage& operator=(const PumpedStage&) = delete;
  PumpedStage(PumpedStage&&) = delete;
  PumpedStage& operator=(PumpedStage&&) = delete;
  virtual ~PumpedStage() = default;

  // First thing of each turn: the stage may read the transport's counters (capture drops).
  virtual void before_tick(MonotonicTime /*now*/, Transport& /*transport*/) {}
  // The packets to send now: packet(0) .. packet(count - 1), valid until the next tick().
  // Errors end the loop (a capture filter that cannot be set, say).
  [[nodiscard]] virtual Expected<std::size_t> tick(MonotonicTime now, Timestamp wall_now) = 0;
  [[nodiscard]] virtual std::span<const std::uint8_t> packet(std::size_t index) const = 0;
  // packet(index) left; the clocks read when its send call returned.
  virtual void sent(std::size_t /*index*/, MonotonicTime /*at*/, Timestamp /*wall_at*/) {}
  // Frames that arrived, read by the loop at `received_at` (each also carries its own stamp); the
  // stage may move their bytes out.
  virtual void received(std::span<CapturedFrame> frames, MonotonicTime received_at) = 0;
  // When tick() next has work; nullopt when only frames can give it any. May be in the past.
  [[nodiscard]] virtual std::optional<MonotonicTime> next_wakeup() const = 0;
  // True when the stage has work it made no packet of yet (so the loop must not hold back its next
  // turn even though this one sent nothing).
  [[nodiscard]] virtual bool busy() const { return false; }
  [[nodiscard]] virtual bool finished() const { return false; }
};

struct PumpLimits {
  std::uint64_t max_packets = std::numeric_limits<std::uint64_t>::max(); // sent or refused; then the loop stops
  std::chrono::steady_clock::duration max_duration = std::chrono::hours(24 * 365);
  // Longest single wait, so that `stop` is noticed promptly.
  std::chrono::steady_clock::duration max_wait = std::chrono::milliseconds(50);
  std::chrono::steady_clock::duration send_retry_delay = std::chrono::milliseconds(1);
  // Polled once per turn; optional.
  std::function<bool()> stop;
  // After each turn, and once at the end; optional.
  std::function<void()> on_turn;
};

struct PumpStats {
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0; // IP total lengths of the packets sent
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0; // IP total lengths of the frames received (an ARP packet: 28)
  std::uint64_t send_retries = 0;
  std::uint64_t packets_refused = 0; // SendOutcome::refused: not sent (a local firewall, no route, a device error)
  bool interrupted = false;          // `stop` said so
  bool stopped_by_packets = false;   // max_packets reached (the rest was not sent)
  bool stopped_by_time = false;      // max_duration reached before the stage finished
};

// Runs until the stage finishes, `stop` says so or a limit is reached.
// Errors: a send the transport rejects outright, a send buffer that stays full, a wait that fails,
// an error from the stage's tick().
[[nodiscard]] Expected<PumpStats> pump(Transport& transport, PumpedStage& stage, const Clock& clock,
                                       const PumpLimits& limits);

} // namespace stackprint::io
