#include "stackprint/io/scan_loop.hpp"

#include <utility>
#include <vector>

#include "stackprint/io/pump.hpp"

namespace stackprint::io {
namespace {

// The session as the one io loop sees it.
class ScanSessionStage final : public PumpedStage {
public:
  ScanSessionStage(session::ScanSession& session, const ScanLoopLimits& limits)
      : m_session(session), m_limits(limits) {}

  void before_tick(MonotonicTime now, Transport& transport) override {
    if (m_session.congestion_due(now)) { m_session.set_capture_drops(transport.capture_drops()); }
  }
  Expected<std::size_t> tick(MonotonicTime now, Timestamp wall_now) override {
    m_packets = m_session.on_tick(now, wall_now);
    // Before the new hosts' first probe leaves: their replies must pass the filter.
    if (m_session.take_hosts_added() && m_limits.narrow_capture) {
      const auto hosts = m_session.hosts_in_flight(m_limits.max_filter_hosts);
      if (auto narrowed = m_limits.narrow_capture(hosts); !narrowed) { return tl::unexpected(narrowed.error()); }
    }
    return m_packets.size();
  }
  [[nodiscard]] std::span<const std::uint8_t> packet(std::size_t index) const override {
    return m_packets[index].packet.bytes;
  }
  void sent(std::size_t index, MonotonicTime at, Timestamp wall_at) override {
    m_session.on_sent(m_packets[index], at, wall_at);
  }
  void received(std::span<CapturedFrame> frames, MonotonicTime received_at) override {
    for (const auto& frame : frames) { m_session.on_frame(frame, received_at); }
  }
  [[nodiscard]] std::optional<MonotonicTime> next_wakeup() const override { return m_session.next_wakeup(); }
  [[nodiscard]] bool finished() const override { return m_session.finished(); }

private:
  session::ScanSession& m_session;
  const ScanLoopLimits& m_limits;
  std::vector<session::SessionPacket> m_packets;
};

} // namespace

Expected<ScanLoopStats> run_scan_session(Transport& transport, session::ScanSession& session, const Clock& clock,
                                         const ScanLoopLimits& limits) {
  ScanSessionStage stage(session, limits);
  PumpLimits pump_limits;
  pump_limits.max_packets = limits.max_packets;
  pump_limits.max_duration = limits.max_duration;
  pump_limits.max_wait = limits.max_wait;
  pump_limits.send_retry_delay = limits.send_retry_delay;
  if (limits.stop != nullptr) {
    pump_limits.stop = [stop = limits.stop] { return stop->load(); };
  }
  pump_limits.on_turn = limits.on_turn;
  return pump(transport, stage, clock, pump_limits);
}

} // namespace stackprint::io
