#pragma once
// Nmap 7.93's OS-detection probes as data (ProbeShape) and as packets (build_probe).
//
// Contract
// --------
// - Inputs: one ProbeContext per host and round (addresses, chosen ports, and the values Nmap
//   draws at random per run or per round), plus PacketValues per sent packet (IP ID and TTL,
//   which Nmap draws afresh for every TCP/ICMP packet, retransmissions included).
// - Output: the IPv4 packet Nmap 7.93 would send, byte for byte: same options in the same order,
//   window, flags, reserved bits, urgent pointer, DF, TOS, payload, IP ID (U1: fixed 0x1042), TTL,
//   lengths and checksums (IP, TCP/UDP with pseudo-header, ICMP). No IP options.
// - Pure: no randomness, clock or I/O inside; the caller draws the random values (the live
//   scanner) or infers them from a capture (the golden test), so the same inputs always give the
//   same bytes.
// - Source-port layout (docs/nmap-behaviour.md 4.3): TCP probe `id` goes out from tcp_port_base + tcp_port_offset(id)
//   (the ProbeId value, 0..19); U1 from udp_port_base. Replies are mapped back with
//   tcp_probe_for_reply_port / echo_probe_for_reply_id.
//
// Values per probe (Nmap 7.93, osscan2.cc; window sizes are not scaled):
//   probe      dst     seq        ack      flags        win    DF  options
//   SEQ1/T1    open    base+0     tcpAck   SYN            1    -   WS10 NOP MSS1460 TS SACKP
//   SEQ2       open    base+1     tcpAck   SYN           63    -   MSS1400 WS0 SACKP TS EOL
//   SEQ3       open    base+2     tcpAck   SYN            4    -   TS NOP NOP WS5 NOP MSS640
//   SEQ4       open    base+3     tcpAck   SYN            4    -   SACKP TS WS10 EOL
//   SEQ5       open    base+4     tcpAck   SYN           16    -   MSS536 SACKP TS WS10 EOL
//   SEQ6       open    base+5     tcpAck   SYN          512    -   MSS265 SACKP TS
//   OPSi       open    base       tcpAck   like SEQi (same window and options)
//   ECN        open    base       0        CWR ECE SYN    3    -   WS10 NOP MSS1460 SACKP NOP NOP
//                                          + reserved nibble 0x8, urgent pointer 0xF7F5
//   T2         open    base       tcpAck   (none)       128    DF  WS10 NOP MSS265 TS SACKP
//   T3         open    base       tcpAck   SYN FIN URG PSH 256 -   same
//   T4         open    base       tcpAck   ACK         1024    DF  same
//   T5         closed  base       tcpAck   SYN        31337    -   same
//   T6         closed  base       tcpAck   ACK        32768    DF  same
//   T7         closed  base       tcpAck   FIN PSH URG 65535   -   WS15 NOP MSS265 TS SACKP
//   (TS = timestamp option with TSval 0xFFFFFFFF, TSecr 0; TCP TOS 0, urgent pointer 0 except ECN)
//   IE1: echo request, code 9, id = icmp_echo_id, seq 295, 120 zero bytes, TOS 0, DF.
//   IE2: echo request, code 0, id = icmp_echo_id + 1, seq 296, 150 zero bytes, TOS 4, no DF.
//   U1:  UDP to the closed UDP port, 300 bytes of 'C', IP ID 0x1042, TTL udp_ttl, no DF, total
//        length 328 (PacketValues are ignored for U1).

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "stackprint/probes/probe_id.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::probes {

// Values fixed for one host during one OS-detection round. Addresses are host order
// (10.0.0.1 == 0x0A000001). Nmap draws: tcp_port_base/udp_port_base = magic port (33000 +
// rand % 31000, or the -g port) + rand % 256 each (no offset with -g), once per run;
// tcp_seq_base, tcp_ack (u32) and icmp_echo_id (u16) per round; udp_ttl = time % 14 + 51.
struct ProbeContext {
  std::uint32_t source_address = 0;
  std::uint32_t target_address = 0;
  std::uint16_t open_tcp_port = 0;   // SEQ, OPS, ECN, T1-T4
  std::uint16_t closed_tcp_port = 0; // T5-T7
  std::uint16_t closed_udp_port = 0; // U1
  std::uint16_t tcp_port_base = 0;
  std::uint16_t udp_port_base = 0;
  std::uint32_t tcp_seq_base = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t icmp_echo_id = 0;
  std::uint8_t udp_ttl = 0;
};

// Per-packet IP values (Nmap: random ID, random TTL 37..59 unless --ttl). Ignored for U1.
struct PacketValues {
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 0;
};

enum class PortRole : std::uint8_t { open_tcp, closed_tcp, closed_udp };

// The fixed shape of a TCP probe; the context supplies ports, seq base, ack.
struct TcpProbeShape {
  std::uint8_t port_offset = 0; // source port = tcp_port_base + port_offset
  PortRole destination = PortRole::open_tcp;
  std::uint8_t sequence_offset = 0; // sequence = tcp_seq_base + sequence_offset
  bool zero_ack = false;            // ack field 0 (ECN) instead of tcp_ack
  std::uint8_t reserved = 0;        // reserved nibble of byte 12
  std::uint8_t flags = 0;           // wire::k_tcp_* bits
  std::uint16_t window = 0;
  std::uint16_t urgent_pointer = 0;
  bool dont_fragment = false;
  std::span<const std::uint8_t> options; // exact option bytes (static storage), multiple of 4
};

struct IcmpEchoProbeShape {
  std::uint8_t code = 0;
  std::uint8_t id_offset = 0; // identifier = icmp_echo_id + id_offset (mod 2^16)
  std::uint16_t sequence = 0;
  std::uint16_t data_length = 0; // zero bytes after the 8-byte ICMP header
  std::uint8_t tos = 0;
  bool dont_fragment = false;
};

struct UdpProbeShape {
  std::uint8_t port_offset = 0; // source port = udp_port_base + port_offset
  std::uint16_t ip_id = 0x1042;
  std::uint8_t payload_byte = 0x43; // 'C'
  std::uint16_t payload_length = 300;
  bool dont_fragment = false;
};

using ProbeShape = std::variant<TcpProbeShape, IcmpEchoProbeShape, UdpProbeShape>;

// The shape of a probe (pure data, see the table above).
[[nodiscard]] ProbeShape probe_shape(ProbeId id);

// The probe as a packet with every length and checksum computed (so the caller can read back
// what was sent, e.g. U1's IP and UDP checksums for the RIPCK/RUCK tests).
[[nodiscard]] wire::Ipv4Packet build_probe(ProbeId id, const ProbeContext& context, const PacketValues& values);
// Its wire bytes.
[[nodiscard]] std::vector<std::uint8_t> probe_bytes(ProbeId id, const ProbeContext& context,
                                                    const PacketValues& values);

// Source-port offset of a TCP probe from tcp_port_base (== its ProbeId value); nullopt for IE/U1.
[[nodiscard]] std::optional<std::uint16_t> tcp_port_offset(ProbeId id);

// Reply correlation (docs/nmap-behaviour.md 4.5). A TCP reply whose destination port minus tcp_port_base is 0..19
// answers that probe (0-5 SEQ, 6-11 OPS re-sends, 12 ECN, 13-19 T1-T7); anything else is not a
// reply to an OS probe. Same arithmetic as Nmap (a plain integer difference, no wrap-around).
[[nodiscard]] std::optional<ProbeId> tcp_probe_for_reply_port(std::uint16_t reply_destination_port,
                                                              std::uint16_t tcp_port_base);
// An ICMP echo reply whose identifier minus icmp_echo_id is 0 or 1 answers IE1 or IE2.
// DIVERGENCE(nmap): the difference is taken modulo 2^16, so with icmp_echo_id 0xFFFF the reply
// to IE2 (identifier 0) is still recognised; Nmap's signed difference misses it.
[[nodiscard]] std::optional<ProbeId> echo_probe_for_reply_id(std::uint16_t reply_identifier,
                                                             std::uint16_t icmp_echo_id);

} // namespace stackprint::probes
