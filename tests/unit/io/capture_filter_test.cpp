#include "stackprint/io/capture_filter.hpp"

#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include "unit/io/arp_frames.hpp"

namespace stackprint::io {
namespace {

// The filter must be valid libpcap syntax: compile it against a dead Ethernet handle (no root).
bool compiles(const std::string& filter) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  bpf_program program{};
  const bool ok = pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (ok) { pcap_freecode(&program); }
  pcap_close(dead);
  return ok;
}

// Whether the compiled filter takes `frame` (an Ethernet frame), as the kernel's copy of it would.
bool takes(const std::string& filter, const std::vector<std::uint8_t>& frame) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  bpf_program program{};
  bool taken = false;
  if (pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    taken = pcap_offline_filter(&program, &header, frame.data()) != 0;
    pcap_freecode(&program);
  }
  pcap_close(dead);
  return taken;
}

TEST(CaptureFilter, TakesArpAddressedToUsOnly) {
  // With and without the per-host list: a neighbour's ARP says it is up (port_discovery.hpp).
  const std::vector<Ipv4Address> few = {make_ipv4(10, 99, 50, 2)};
  for (const auto& filter :
       {scan_capture_filter(make_ipv4(10, 99, 50, 1), few), scan_capture_filter(make_ipv4(10, 99, 50, 1), {})}) {
    EXPECT_TRUE(takes(filter, test::ethernet_arp(2, make_ipv4(10, 99, 50, 2), make_ipv4(10, 99, 50, 1)))) << filter;
    EXPECT_FALSE(takes(filter, test::ethernet_arp(2, make_ipv4(10, 99, 50, 2), make_ipv4(10, 99, 50, 9)))) << filter;
  }
}

TEST(CaptureFilter, ListsFewTargets) {
  const std::vector<Ipv4Address> hosts = {make_ipv4(10, 99, 50, 2), make_ipv4(10, 99, 50, 3)};
  const auto filter = scan_capture_filter(make_ipv4(10, 99, 50, 1), hosts);
  EXPECT_EQ(filter, "dst host 10.99.50.1 and (arp or icmp or (tcp and (src host 10.99.50.2 or src host 10.99.50.3)))");
  EXPECT_TRUE(compiles(filter));
  const auto with_udp = scan_capture_filter(make_ipv4(10, 99, 50, 1), hosts, CaptureFilterOptions{true});
  EXPECT_EQ(with_udp,
            "dst host 10.99.50.1 and (arp or icmp or ((tcp or udp) and (src host 10.99.50.2 or src host 10.99.50.3)))");
  EXPECT_TRUE(compiles(with_udp));
}

TEST(CaptureFilter, DropsTheHostListAboveTwentyTargets) {
  std::vector<Ipv4Address> hosts;
  for (std::uint8_t i = 1; i <= 20; ++i) { hosts.push_back(make_ipv4(10, 0, 0, i)); }
  const auto twenty = scan_capture_filter(make_ipv4(10, 0, 1, 1), hosts);
  EXPECT_NE(twenty.find("src host 10.0.0.20"), std::string::npos);
  EXPECT_TRUE(compiles(twenty));
  hosts.push_back(make_ipv4(10, 0, 0, 21));
  EXPECT_EQ(scan_capture_filter(make_ipv4(10, 0, 1, 1), hosts), "dst host 10.0.1.1 and (arp or icmp or tcp)");
  EXPECT_EQ(scan_capture_filter(make_ipv4(10, 0, 1, 1), {}), "dst host 10.0.1.1 and (arp or icmp or tcp)");
  EXPECT_TRUE(compiles(scan_capture_filter(make_ipv4(10, 0, 1, 1), hosts)));
}

} // namespace
} // namespace stackprint::io
