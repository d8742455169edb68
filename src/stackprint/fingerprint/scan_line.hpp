#pragma once
// The SCAN pseudo-test as typed fields (docs/nmap-behaviour.md 1.2), converted to and from its TestLine.
//
// Printed order, always: V E D OT CT CU PV [DS] [DC] G [M] TM P.
//   V  Nmap version text                         E  engine id, decimal (4 for IPv4)
//   D  local date "month/day", decimal, no zero padding
//   OT open TCP port, CT closed TCP port (only if known closed from the port scan),
//   CU closed UDP port: decimal, empty value when unknown (`OT=`)
//   PV Y/N private address                       DS hop distance, decimal, field absent if unknown
//   DC L/D/I/T distance method, field absent when none
//   G  Y/N good for submission                   M  first 3 MAC bytes, 6 uppercase hex digits, absent
//                                                   without a MAC
//   TM time(NULL) at print time, uppercase hex    P  build platform triplet

#include <cstdint>
#include <optional>
#include <string>

#include "stackprint/base/expected.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::fingerprint {

// SCAN.DC: how the hop distance was found.
enum class DistanceMethod {
  localhost,  // L
  direct,     // D (MAC known, same segment)
  icmp,       // I (from the U1 reply's quoted TTL)
  traceroute, // T (defined by Nmap, never set for IPv4 in 7.93)
};

struct ScanLine {
  std::string version = "7.93";                  // V
  unsigned engine = 4;                           // E
  unsigned month = 1;                            // D, 1..12
  unsigned day = 1;                              // D, 1..31
  std::optional<std::uint16_t> open_tcp_port;    // OT
  std::optional<std::uint16_t> closed_tcp_port;  // CT
  std::optional<std::uint16_t> closed_udp_port;  // CU
  bool private_address = false;                  // PV
  std::optional<int> distance;                   // DS (hops; may be negative in odd U1 replies)
  std::optional<DistanceMethod> distance_method; // DC
  bool good_for_submission = false;              // G
  std::optional<std::uint32_t> mac_prefix;       // M: the first 3 MAC bytes as 0xAABBCC
  std::uint64_t time = 0;                        // TM: seconds since the epoch
  std::string platform = "x86_64-pc-linux-gnu";  // P
  friend bool operator==(const ScanLine&, const ScanLine&) = default;
};

// SCAN(...) in Nmap's field order. Values are not validated: version/platform must not hold
// '%', '(', ')', '=' or spaces for the result to parse back.
[[nodiscard]] TestLine to_test_line(const ScanLine& scan);

// Reads a SCAN TestLine. Fields may come in any order; V E D OT CT CU PV G TM P are required,
// DS DC M optional. Errors (one line, naming the field): wrong test name, unknown or repeated
// field, missing field, a value that is not valid for the field (ports 0..65535, D as m/d with
// 1<=m<=12 and 1<=d<=31, Y/N, L/D/I/T, M exactly 6 hex digits, TM 1..16 hex digits).
[[nodiscard]] Expected<ScanLine> parse_scan_line(const TestLine& line);

// SCAN.PV: true for 10/8, 172.16/12, 169.254/16 and 192.168/16. `address` is host order
// (10.0.0.1 == 0x0A000001). Loopback 127/8 is NOT private for Nmap (PV=N).
[[nodiscard]] bool is_private_address(std::uint32_t address);

// "L", "D", "I", "T".
[[nodiscard]] char distance_method_letter(DistanceMethod method);

} // namespace stackprint::fingerprint
