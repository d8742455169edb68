#include "stackprint/io/capture_filter.hpp"

namespace stackprint::io {

std::string scan_capture_filter(Ipv4Address our_address, std::span<const Ipv4Address> target_addresses,
                                const CaptureFilterOptions& options) {
  const std::string transport = options.include_udp ? "(tcp or udp)" : "tcp";
  std::string filter = "dst host " + to_string(our_address) + " and (arp or icmp or ";
  if (target_addresses.empty() || target_addresses.size() > k_max_filter_hosts) { return filter + transport + ")"; }
  filter += "(" + transport + " and (";
  for (std::size_t i = 0; i < target_addresses.size(); ++i) {
    filter += (i == 0 ? "src host " : " or src host ") + to_string(target_addresses[i]);
  }
  return filter + ")))";
}

} // namespace stackprint::io
