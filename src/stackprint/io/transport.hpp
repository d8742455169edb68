#pragma once
// The packet transport a scan engine is pumped with (ARCHITECTURE.md, "Sans-I/O" and "Privileges"): send prepared IPv4
// packets, wait for captured ones until a deadline. LiveTransport is the real network (raw socket + libpcap); a replay
// or test transport implements the same interface.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/io/capture_filter.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/live_capture.hpp"
#include "stackprint/io/raw_sender.hpp"
#include "stackprint/io/route.hpp"

namespace stackprint::io {

class Transport {
public:
  virtual ~Transport() = default;
  // Sends one IPv4 packet (from its IPv4 header, network byte order).
  [[nodiscard]] virtual Expected<SendOutcome> send(std::span<const std::uint8_t> ip_packet) = 0;
  // Frames that arrived, waiting for the first one at most until `deadline`; empty at the deadline.
  [[nodiscard]] virtual Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) = 0;
  // Frames the capture dropped so far for lack of buffer (a congestion signal); nullopt when the
  // transport keeps no such counter.
  [[nodiscard]] virtual std::optional<std::uint64_t> capture_drops() { return std::nullopt; }
};

class LiveTransport final : public Transport {
public:
  // Opens the privileged handles for a scan over `route`: a raw socket bound to route.interface and
  // a capture on it filtered by scan_capture_filter(route.source, targets). Call drop_privileges()
  // right after. Errors: see RawIpv4Sender::open and LiveCapture::open.
  [[nodiscard]] static Expected<LiveTransport> open(const Route& route, std::span<const Ipv4Address> target_addresses,
                                                    const CaptureFilterOptions& filter_options = {},
                                                    const LiveCaptureOptions& capture_options = {});

  [[nodiscard]] Expected<SendOutcome> send(std::span<const std::uint8_t> ip_packet) override {
    return m_sender.send(ip_packet);
  }
  [[nodiscard]] Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    return m_capture.wait(deadline);
  }
  // pcap_stats: getsockopt(PACKET_STATISTICS) on Linux, allowed by the scan's seccomp profile.
  [[nodiscard]] std::optional<std::uint64_t> capture_drops() override {
    const auto stats = m_capture.stats();
    return stats ? std::optional<std::uint64_t>(stats->dropped) : std::nullopt;
  }
  // Narrows the capture to another host group (scan_capture_filter); works after the privilege drop.
  [[nodiscard]] Expected<void> set_targets(Ipv4Address our_address, std::span<const Ipv4Address> target_addresses,
                                           const CaptureFilterOptions& filter_options = {}) {
    return m_capture.set_filter(scan_capture_filter(our_address, target_addresses, filter_options));
  }
  [[nodiscard]] RawIpv4Sender& sender() { return m_sender; }
  [[nodiscard]] LiveCapture& capture() { return m_capture; }

private:
  LiveTransport(RawIpv4Sender sender, LiveCapture capture)
      : m_sender(std::move(sender)), m_capture(std::move(capture)) {}
  RawIpv4Sender m_sender;
  LiveCapture m_capture;
};

} // namespace stackprint::io
