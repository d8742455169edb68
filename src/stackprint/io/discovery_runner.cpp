#include "stackprint/io/discovery_runner.hpp"

#include "stackprint/discovery/probe_packet.hpp"

namespace stackprint::io {
namespace {

// PortDiscovery seen as a PacketSession: it keeps no send times, so on_sent does nothing.
class DiscoverySession {
public:
  struct Packet {
    std::vector<std::uint8_t> bytes;
    std::uint64_t tag = 0;
  };
  DiscoverySession(discovery::PortDiscovery& discovery, Ipv4Address source, std::uint8_t ttl)
      : m_discovery(discovery), m_source(source), m_ttl(ttl) {}

  std::vector<Packet> on_tick(MonotonicTime now) {
    std::vector<Packet> packets;
    for (const auto& action : m_discovery.on_tick(now)) {
      packets.push_back(Packet{discovery::probe_packet(action, m_source, m_ttl), 0});
    }
    return packets;
  }
  void on_sent(std::uint64_t /*tag*/, MonotonicTime /*sent_at*/) {}
  void on_frame(const CapturedFrame& frame, MonotonicTime now) { m_discovery.on_frame(frame, now); }
  [[nodiscard]] std::optional<MonotonicTime> next_wakeup() const { return m_discovery.next_wakeup(); }
  [[nodiscard]] bool finished() const { return m_discovery.finished(); }

private:
  discovery::PortDiscovery& m_discovery;
  Ipv4Address m_source;
  std::uint8_t m_ttl;
};
static_assert(PacketSession<DiscoverySession>);

} // namespace

Expected<RunStats> run_port_discovery(Transport& transport, discovery::PortDiscovery& discovery, Ipv4Address source,
                                      const Clock& clock, const RunLimits& limits, std::uint8_t ttl) {
  DiscoverySession session(discovery, source, ttl);
  return run_session(transport, session, clock, limits);
}

} // namespace stackprint::io
