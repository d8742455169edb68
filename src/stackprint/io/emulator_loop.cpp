#include "stackprint/io/emulator_loop.hpp"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "stackprint/emulation/packet_burst.hpp"

namespace stackprint::io {
namespace {

// The service as the one io loop sees it.
class EmulatorStage final : public PumpedStage {
public:
  explicit EmulatorStage(emulation::EmulatorService& service) : m_service(service) {}

  Expected<std::size_t> tick(MonotonicTime now, Timestamp wall_now) override {
    m_now = now;
    m_wall_now = wall_now;
    // The packet answered now was read (and stamped) with every packet queued behind it; its
    // replies are due at its stamp, usually already.
    m_service.answer_next();
    m_replies = m_service.take_due(wall_now);
    return m_replies.size();
  }
  [[nodiscard]] std::span<const std::uint8_t> packet(std::size_t index) const override { return m_replies[index]; }
  void received(std::span<CapturedFrame> frames, MonotonicTime /*received_at*/) override {
    for (auto& frame : frames) { m_service.receive({frame.time, std::move(frame.ip_packet)}); }
  }
  [[nodiscard]] std::optional<MonotonicTime> next_wakeup() const override {
    const auto due = m_service.next_due();
    if (!due) { return std::nullopt; }
    // The service keeps wall time (its packets' stamps); the loop waits on the monotonic clock.
    return m_now + (*due - m_wall_now);
  }
  // Packets read and not answered yet: answer the next at once, after a read that does not wait.
  [[nodiscard]] bool busy() const override { return m_service.has_unanswered(); }

private:
  emulation::EmulatorService& m_service;
  MonotonicTime m_now{};
  Timestamp m_wall_now{};
  std::vector<std::vector<std::uint8_t>> m_replies;
};

} // namespace

Expected<SendOutcome> TunTransport::send(std::span<const std::uint8_t> ip_packet) {
  return m_tun.write_packet(ip_packet) ? SendOutcome::sent : SendOutcome::refused;
}

Expected<std::vector<CapturedFrame>> TunTransport::wait(MonotonicTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - m_clock.monotonic_now());
  const auto timeout_ms =
      static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, std::numeric_limits<int>::max()));
  // Every packet already queued is read and stamped before the next one is answered, so a packet's
  // stamp lags its arrival by one answer at most (emulation/packet_burst.hpp).
  auto burst = emulation::read_burst([&](int ms) { return m_tun.read_packet(ms); }, [&] { return m_clock.wall_now(); },
                                     timeout_ms, m_max_read_batch);
  if (!burst) { return tl::unexpected(burst.error()); }
  std::vector<CapturedFrame> frames;
  frames.reserve(burst->size());
  for (auto& packet : *burst) {
    frames.push_back(CapturedFrame{packet.read_at, std::move(packet.bytes), std::nullopt});
  }
  return frames;
}

Expected<EmulatorLoopStats> serve_emulator(Transport& transport, emulation::EmulatorService& service,
                                           const Clock& clock, const EmulatorLoopLimits& limits) {
  EmulatorStage stage(service);
  PumpLimits pump_limits;
  pump_limits.max_duration = limits.max_duration;
  pump_limits.max_wait = limits.max_wait;
  pump_limits.stop = limits.stop;
  return pump(transport, stage, clock, pump_limits);
}

} // namespace stackprint::io
