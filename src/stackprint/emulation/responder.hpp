#pragma once
// The emulated host: a Personality plus generator state, mapping one received IPv4 packet and the
// current time to the packets the emulated operating system would send back (zero or more).
//
// Probes are recognised by their shape alone (probes::probe_shape: flags, window, options, reserved
// bits, urgent pointer, DF; echo code, length and TOS; the U1 payload and IP ID), never by port
// numbers, because a real target cannot know Nmap's source-port base either. Anything else gets the
// answer its kind would get from the emulated stack (a SYN to an open port: the SEQ-style SYN/ACK,
// to a closed port: T5's answer; an ACK: T4/T6's; a datagram to any UDP port: U1's), so port scans
// work. RSTs and other packets the stack would not answer are ignored and counted, never fatal.
//
// Time is passed in (`now`), so the same inputs give the same replies: ISN series, IP ID counters
// and the timestamp clock are pure functions of the personality, the seed and the packet history.
//
// With a retransmission model (enable_retransmission()), SYN/ACKs from open ports are sent
// again until the peer resets or acknowledges them (emulation/retransmission.hpp): the caller asks
// next_wakeup() when to call on_tick(), which returns the copies due then.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/emulation/generators.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/retransmission.hpp"
#include "stackprint/probes/probe_id.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

struct ResponderOptions {
  std::uint32_t address = 0; // the emulated host, host order
  std::vector<std::uint16_t> open_tcp_ports{22, 80};
  std::uint64_t seed = 0;
};

struct ResponderStats {
  std::uint64_t received = 0;    // packets handed to respond()
  std::uint64_t answered = 0;    // packets that produced a reply
  std::uint64_t silent = 0;      // packets the personality does not answer (R=N, RSTs, ...)
  std::uint64_t not_for_us = 0;  // destination is not the emulated address
  std::uint64_t unsupported = 0; // fragments, other protocols, ICMP other than echo requests
  std::uint64_t malformed = 0;   // bytes that do not parse as IPv4 (respond_to_bytes)
  std::uint64_t generic = 0;     // answered packets that were not one of Nmap's OS probes
  std::array<std::uint64_t, probes::k_probe_count> probes{}; // recognised OS probes by ProbeId
};

// Which OS probe a packet is, from its shape; nullopt for anything else. SEQ1 and T1 (and OPSi
// and SEQi) share a shape: SEQ1 / SEQi are returned.
[[nodiscard]] std::optional<probes::ProbeId> recognise_probe(const wire::Ipv4Packet& packet);

class Responder {
public:
  Responder(Personality personality, ResponderOptions options);

  // Replies to one packet received at `now`.
  [[nodiscard]] std::vector<wire::Ipv4Packet> respond(const wire::Ipv4Packet& packet, Timestamp now);

  // The same for raw bytes; malformed packets are counted and give no reply.
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> respond_to_bytes(std::span<const std::uint8_t> bytes,
                                                                        Timestamp now);

  // From now on, SYN/ACKs from open ports are sent again as `model` says (without: sent once).
  void enable_retransmission(RetransmissionModel model) { m_retransmissions.emplace(model); }
  // SYN/ACKs due to be sent again by `now` (same ISN, options and window; fresh TSval and IP ID).
  [[nodiscard]] std::vector<wire::Ipv4Packet> on_tick(Timestamp now);
  // When on_tick() next has something to send; nullopt when nothing is pending.
  [[nodiscard]] std::optional<Timestamp> next_wakeup() const;
  [[nodiscard]] RetransmissionStats retransmission_stats() const;

  [[nodiscard]] const Personality& personality() const { return m_personality; }
  [[nodiscard]] const ResponderOptions& options() const { return m_options; }
  [[nodiscard]] const ResponderStats& stats() const { return m_stats; }

private:
  struct SeqSeries {
    int last_index = -1;
    Timestamp last_time{};
    std::uint32_t last_isn = 0;
  };

  [[nodiscard]] bool is_open(std::uint16_t port) const;
  [[nodiscard]] double seconds_since_boot(Timestamp now) const;
  [[nodiscard]] std::uint32_t clock_isn(Timestamp now) const;
  [[nodiscard]] std::uint32_t clock_tsval(Timestamp now) const;
  [[nodiscard]] std::uint32_t retransmitted_tsval(const DueSynAck& due, Timestamp now) const;
  // A SYN/ACK sent again: fresh IP ID and TSval, the rest as the original.
  [[nodiscard]] wire::Ipv4Packet resent_copy(DueSynAck due, Timestamp now);
  [[nodiscard]] std::uint32_t seq_series_isn(std::uint32_t peer, int index, Timestamp now);
  std::vector<wire::Ipv4Packet> respond_tcp(const wire::Ipv4Packet& in, const wire::TcpSegment& tcp,
                                            std::optional<probes::ProbeId> probe, Timestamp now);
  std::vector<wire::Ipv4Packet> respond_echo(const wire::Ipv4Packet& in, const wire::IcmpMessage& icmp,
                                             std::optional<probes::ProbeId> probe);
  std::vector<wire::Ipv4Packet> respond_udp(const wire::Ipv4Packet& in);
  std::uint16_t next_tcp_id(bool closed_port);
  std::uint16_t next_icmp_id(bool window_start);
  [[nodiscard]] wire::Ipv4Packet reply_header(const wire::Ipv4Packet& in, std::uint8_t ttl, bool dont_fragment,
                                              std::uint16_t id) const;

  Personality m_personality;
  ResponderOptions m_options;
  ResponderStats m_stats;
  SplitMix m_rng;
  std::optional<Timestamp> m_origin; // first packet seen; clocks count from here
  double m_boot_seconds = 0.0;       // pretended uptime at m_origin
  std::uint32_t m_isn_offset = 0;
  std::uint32_t m_ts_offset = 0;
  std::uint32_t m_tcp_counter = 0;             // TI counter (shared with ICMP when SS=S)
  std::uint32_t m_closed_counter = 0;          // CI counter
  std::uint32_t m_icmp_counter = 0;            // II counter when not shared
  std::map<std::uint32_t, SeqSeries> m_series; // per scanning address, bounded
  std::optional<RetransmissionQueue> m_retransmissions;
};

} // namespace stackprint::emulation
