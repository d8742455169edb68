#pragma once
// Reconstructing an OS-detection run against one target from recorded packets (a capture of Nmap
// 7.93 or of stackprint): which packets were the 16 probes, which round each belongs to, the
// per-round values Nmap drew at random (port bases, ISN base, ACK, ICMP id, U1 TTL), what the port
// scan before it had learnt, and the replies, all fed through the same RoundCollector a live scan
// uses. Pure: frames in, values out.
//
// How probes are recognised: by their exact shape (probes::probe_shape: window, flags, reserved
// bits, urgent pointer, DF and option bytes for TCP; code, sequence and data length for ICMP echo;
// IP ID 0x1042 and 300 'C' bytes for U1), then by source port offset from the run's TCP port base.
// Rounds: Nmap draws a new ISN base and ICMP id every round, so a probe whose ISN base or echo id
// differs from the current round's starts a new round. Replies belong to the round running when
// they arrive.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/responses/round_replies.hpp"

namespace stackprint::responses {

struct RecordedRound {
  probes::ProbeContext context;
  RoundReplies replies;
  Timestamp start;
};

struct RecordedRun {
  std::uint32_t target_address = 0;
  std::uint32_t scanner_address = 0;
  std::vector<RecordedRound> rounds;
  std::optional<std::uint16_t> open_tcp_port;   // where SEQ/ECN/T1-T4 went
  std::optional<std::uint16_t> closed_tcp_port; // where T5-T7 went
  std::optional<std::uint16_t> closed_udp_port; // where U1 went
  // What the port scan before OS detection had shown (replies seen before the first OS probe).
  bool closed_tcp_port_known = false; // an RST from closed_tcp_port
  bool closed_udp_port_known = false; // a port unreachable for closed_udp_port
  bool udp_port_scan = false;         // UDP probes went to the target before OS detection (-sU)
  // The port scan sent SYNs to TCP ports other than open_tcp_port and the target answered none of
  // them with a RST (a default-deny firewall).
  bool closed_tcp_ports_filtered = false;
  // The UDP ports those probes went to, ascending, each once. Not always closed_udp_port: when no
  // scanned UDP port answered closed, U1 goes to a random port (routeddropudp, dropudp).
  std::vector<std::uint16_t> scanned_udp_ports;
  // Ethernet source address of the target's replies, if captured on Ethernet.
  std::optional<std::array<std::uint8_t, 6>> target_mac;
  // Smallest gap between two consecutive OS probes of a round, when 100 ms or more: that is a
  // --scan-delay (Nmap spaces TUI probes 25 ms apart otherwise). 0 when none.
  std::int64_t inferred_scan_delay_ms = 0;
  std::uint64_t unparsed_frames = 0; // frames that are not valid IPv4 packets
};

// Errors: no OS-detection probe to `target_address` in the frames.
[[nodiscard]] Expected<RecordedRun> reconstruct_run(std::span<const CapturedFrame> frames,
                                                    std::uint32_t target_address);

} // namespace stackprint::responses
