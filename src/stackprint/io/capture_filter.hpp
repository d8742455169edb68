#pragma once
// The BPF filter text for a live scan (docs/nmap-behaviour.md 4.5): only packets addressed to us, and of those
// only ICMP (errors and echo replies from anyone, since routers answer for targets), TCP from the
// targets, and ARP (its target protocol address is ours: a neighbour answering the kernel's
// resolution for our probes, which tells port discovery the host is up). Pure text building;
// LiveCapture compiles it.

#include <cstddef>
#include <span>
#include <string>

#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::io {

// Above this many targets the per-host "src host" list is dropped (Nmap's limit), and packets are
// assigned to hosts by source address after capture.
inline constexpr std::size_t k_max_filter_hosts = 20;

struct CaptureFilterOptions {
  // Also accept UDP from the targets (port discovery with UDP probes: an open UDP port answers in
  // UDP). Closed UDP ports answer with ICMP, which is always accepted.
  bool include_udp = false;
};

// With at most k_max_filter_hosts targets:
//   "dst host OUR and (arp or icmp or (tcp and (src host A or src host B ...)))"
// with more, or with none: "dst host OUR and (arp or icmp or tcp)". With include_udp, "tcp" becomes
// "(tcp or udp)".
[[nodiscard]] std::string scan_capture_filter(Ipv4Address our_address, std::span<const Ipv4Address> target_addresses,
                                              const CaptureFilterOptions& options = {});

} // namespace stackprint::io
