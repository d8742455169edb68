#pragma once
// Test support: one round's random values, fixed, for tests that build replies by hand and for the
// fuzz entry points. The committed fuzz corpus and regression inputs (tests/fuzz) were learnt
// against exactly these values (TCP replies to ports 50000+offset, echo ids 4000/4001): changing
// them would turn those inputs into noise.

#include "stackprint/probes/probe_catalogue.hpp"

namespace stackprint::test_support {

inline constexpr std::uint32_t k_scanner_address = 0x0A636401; // 10.99.100.1
inline constexpr std::uint32_t k_target_address = 0x0A636402;  // 10.99.100.2

inline probes::ProbeContext fixed_probe_context() {
  probes::ProbeContext c;
  c.source_address = k_scanner_address;
  c.target_address = k_target_address;
  c.open_tcp_port = 80;
  c.closed_tcp_port = 22;
  c.closed_udp_port = 40125;
  c.tcp_port_base = 50000;
  c.udp_port_base = 50300;
  c.tcp_seq_base = 1000;
  c.tcp_ack = 77;
  c.icmp_echo_id = 4000;
  c.udp_ttl = 60;
  return c;
}

} // namespace stackprint::test_support
