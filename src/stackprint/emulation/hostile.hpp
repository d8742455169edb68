#pragma once
// Hostile behaviour for `stackprint emulate --hostile KINDS`: an emulated host that, besides (or
// around) its honest answers, sends what a broken or malicious network sends, to test that the
// scanner neither crashes, nor credits such packets to the wrong host or probe, nor grows without
// bound. Pure: the caller passes the received probe, the honest replies and the time, and gets
// packets (raw bytes, often deliberately ill-formed) with the time each is due.
//
// Kinds (comma-separated, or "all"):
//   malformed  ill-formed copies of each answer sent just before it: IHL 4 and 15, total length
//              too large and too small, bad IP header checksum, version 6 (a Linux router drops
//              these, so through a routed lab only the next ones reach the scanner), TCP data
//              offset 2 and 15, a TCP header cut to 12 bytes, a bad TCP checksum, an ICMP error
//              quoting 4 bytes
//   options    copies of each TCP answer with bogus option lists (length 0 or 1, lengths past
//              the end, 40 bytes of NOPs, unknown kinds, a 3-byte MSS)
//   duplicate  every answer sent three times
//   late       every answer sent again 1.5 s and 6 s later (after its round, often after its host)
//   flood      per probe answered, 16 unsolicited packets from the host (random TCP flags and
//              ports, echo replies with random identifiers, unreachables quoting random datagrams,
//              UDP) and 4 from random other addresses of the emulated block
//   fragments  each answer also sent as two IP fragments (8 bytes of transport, then the rest),
//              and a first fragment with a false transport header, before the whole answer
//   spoof      copies of each answer claiming to come from up to 4 neighbouring addresses of the
//              block (answers to this host's probes with another host's address); an unreachable
//              that quotes a datagram "sent to" a neighbour; and, fed every probe to the other
//              hosts (overheard), this host's own answers to their probes (quoting another
//              host's probe: its ports, sequence numbers, echo identifier, UDP datagram).
// Not emulated: an on-path attacker that forges a neighbour's answer to the neighbour's own probe
// (same address, same ports, right sequence numbers) is indistinguishable from the neighbour at the
// IP layer, for Nmap and for us.

#include <bitset>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/emulation/generators.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

enum class HostileKind : std::uint8_t { malformed, options, duplicate, late, flood, fragments, spoof };
inline constexpr std::size_t k_hostile_kind_count = 7;
using HostileKinds = std::bitset<k_hostile_kind_count>;

// "malformed,flood", "all". Error: an unknown or empty kind name.
[[nodiscard]] Expected<HostileKinds> parse_hostile_kinds(std::string_view text);

struct TimedBytes {
  Timestamp due;
  std::vector<std::uint8_t> bytes; // an IPv4 packet, possibly ill-formed on purpose
};

struct HostileStats {
  std::uint64_t malformed = 0, options = 0, duplicate = 0, late = 0, flood = 0, fragments = 0, spoof = 0;
  [[nodiscard]] std::uint64_t total() const {
    return malformed + options + duplicate + late + flood + fragments + spoof;
  }
  HostileStats& operator+=(const HostileStats& o) {
    malformed += o.malformed;
    options += o.options;
    duplicate += o.duplicate;
    late += o.late;
    flood += o.flood;
    fragments += o.fragments;
    spoof += o.spoof;
    return *this;
  }
};

class HostileHost {
public:
  // `neighbours`: other addresses of the emulated block this host may claim to be (spoof) or send
  // floods from; at most 4 are used for spoofed copies.
  HostileHost(HostileKinds kinds, std::uint32_t address, std::vector<std::uint32_t> neighbours, std::uint64_t seed);

  // What to send for a probe `received` at `now` whose honest answers are `honest` (already
  // serialised, sent at `now` by the caller unless `suppress_honest()`): extra packets, each with
  // its due time. At most ~60 packets per probe: bounded.
  [[nodiscard]] std::vector<TimedBytes> around_answers(const wire::Ipv4Packet& received,
                                                       const std::vector<wire::Ipv4Packet>& honest, Timestamp now);

  // A probe addressed to another emulated host, seen on the way (only with `spoof`): this host's
  // answers to it, computed by the caller with this host's own responder from `as_if_for_us(probe)`, go out
  // with this host's address; UDP probes also get an unreachable from this host quoting the
  // original datagram (whose destination is the other host).
  [[nodiscard]] std::vector<TimedBytes> overheard(const wire::Ipv4Packet& probe_for_other,
                                                  std::span<const std::uint8_t> probe_bytes,
                                                  const std::vector<wire::Ipv4Packet>& own_answers, Timestamp now);

  // `probe` with this host as its destination (what overheard()'s answers are computed from).
  [[nodiscard]] wire::Ipv4Packet as_if_for_us(const wire::Ipv4Packet& probe) const;

  [[nodiscard]] bool has(HostileKind kind) const { return m_kinds.test(static_cast<std::size_t>(kind)); }
  [[nodiscard]] const HostileStats& stats() const { return m_stats; }
  [[nodiscard]] std::uint32_t address() const { return m_address; }

private:
  void add_malformed(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out);
  void add_bogus_options(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out);
  void add_fragments(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out);
  void add_flood(const wire::Ipv4Packet& received, Timestamp at, std::vector<TimedBytes>& out);
  void add_spoofed(const wire::Ipv4Packet& received, const wire::Ipv4Packet& answer, Timestamp at,
                   std::vector<TimedBytes>& out);

  HostileKinds m_kinds;
  std::uint32_t m_address;
  std::vector<std::uint32_t> m_neighbours;
  SplitMix m_rng;
  HostileStats m_stats;
};

// The addresses a hostile host at index `index` of `block` may claim: up to 4 nearest others.
[[nodiscard]] std::vector<std::uint32_t> hostile_neighbours(std::span<const std::uint32_t> block, std::size_t index);

} // namespace stackprint::emulation
