#include "stackprint/emulation/packet_burst.hpp"

namespace stackprint::emulation {

Expected<std::vector<StampedPacket>> read_burst(const PacketRead& read, const std::function<Timestamp()>& clock,
                                                int first_timeout_ms, std::size_t limit) {
  std::vector<StampedPacket> burst;
  int timeout_ms = first_timeout_ms;
  while (burst.size() < limit) {
    auto packet = read(timeout_ms);
    if (!packet) { return tl::unexpected(packet.error()); }
    if (!*packet) { break; }
    burst.push_back(StampedPacket{clock(), std::move(**packet)});
    timeout_ms = 0;
  }
  return burst;
}

} // namespace stackprint::emulation
