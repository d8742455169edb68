#include "stackprint/io/transport.hpp"

namespace stackprint::io {

Expected<LiveTransport> LiveTransport::open(const Route& route, std::span<const Ipv4Address> target_addresses,
                                            const CaptureFilterOptions& filter_options,
                                            const LiveCaptureOptions& capture_options) {
  // Capture first: a probe's answer can never arrive before the capture is listening.
  auto capture = LiveCapture::open(route.interface, scan_capture_filter(route.source, target_addresses, filter_options),
                                   capture_options);
  if (!capture) { return tl::unexpected(capture.error()); }
  auto sender = RawIpv4Sender::open(route.interface);
  if (!sender) { return tl::unexpected(sender.error()); }
  return LiveTransport(std::move(*sender), std::move(*capture));
}

} // namespace stackprint::io
