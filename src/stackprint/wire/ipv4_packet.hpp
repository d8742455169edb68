#pragma once
// A whole IPv4 packet: header plus a parsed transport payload, and the two entry points used
// everywhere: parse_ipv4() for untrusted captured bytes and serialize() for sending or crafting.
//
//   auto packet = wire::parse_ipv4(frame.ip_packet);           // Expected<Ipv4Packet>
//   if (const auto* tcp = packet->tcp()) { ... tcp->window ... }
//   auto bytes = wire::serialize(packet);                      // lengths + checksums computed
//   auto odd = wire::serialize(packet, wire::SerializeOptions::keep_all()); // fields as given

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/wire/icmp_message.hpp"
#include "stackprint/wire/ipv4_header.hpp"
#include "stackprint/wire/tcp_segment.hpp"
#include "stackprint/wire/udp_datagram.hpp"

namespace stackprint::wire {

// Transport bytes left unparsed: other protocols, non-first fragments, and first fragments whose
// transport header could not be read.
struct RawPayload {
  std::vector<std::uint8_t> bytes;
  bool operator==(const RawPayload&) const = default;
};

using Ipv4Payload = std::variant<TcpSegment, UdpDatagram, IcmpMessage, RawPayload>;

struct Ipv4Packet {
  Ipv4Header ip;
  Ipv4Payload payload = RawPayload{};

  // The payload as the given kind, or nullptr.
  [[nodiscard]] const TcpSegment* tcp() const { return std::get_if<TcpSegment>(&payload); }
  [[nodiscard]] const UdpDatagram* udp() const { return std::get_if<UdpDatagram>(&payload); }
  [[nodiscard]] const IcmpMessage* icmp() const { return std::get_if<IcmpMessage>(&payload); }
  [[nodiscard]] const RawPayload* raw() const { return std::get_if<RawPayload>(&payload); }
  [[nodiscard]] TcpSegment* tcp() { return std::get_if<TcpSegment>(&payload); }
  [[nodiscard]] UdpDatagram* udp() { return std::get_if<UdpDatagram>(&payload); }
  [[nodiscard]] IcmpMessage* icmp() { return std::get_if<IcmpMessage>(&payload); }
  [[nodiscard]] RawPayload* raw() { return std::get_if<RawPayload>(&payload); }

  bool operator==(const Ipv4Packet&) const = default;
};

// Parses an IPv4 packet starting at bytes[0] (link layer already removed).
// - The packet ends at the IP total length: bytes beyond it (Ethernet padding) are ignored.
// - Errors (message names the problem and the byte offset): fewer than 20 bytes, version != 4,
//   IHL < 5 or past the data, total length below the header length or above the bytes present,
//   and for TCP/UDP/ICMP a transport header that does not fit (TCP data offset < 5 or past the
//   end, fewer than 8 UDP/ICMP bytes).
// - Fragments: a non-first fragment (offset != 0) gives RawPayload; a first fragment (MF set) is
//   parsed if its transport header fits, else RawPayload. Unknown protocols give RawPayload.
// - Nothing is validated beyond that: wrong checksums, odd flags, malformed TCP options and
//   mismatching UDP lengths are kept as data (see verify_* below).
[[nodiscard]] Expected<Ipv4Packet> parse_ipv4(std::span<const std::uint8_t> bytes);

// Which derived fields serialize() computes (true) or writes exactly as given (false). The OS
// emulator turns individual switches off to craft deliberately wrong replies.
struct SerializeOptions {
  bool ip_header_length = true; // ihl from the options (padded with zeros to 4 bytes)
  bool ip_total_length = true;  // header + transport bytes
  bool ip_checksum = true;
  bool transport_length = true;   // TCP data offset (options_raw padded with zeros to 4 bytes),
                                  // UDP length field
  bool transport_checksum = true; // TCP/UDP with the pseudo-header (UDP 0 -> 0xFFFF), ICMP

  [[nodiscard]] static SerializeOptions compute_all() { return {}; }
  [[nodiscard]] static SerializeOptions keep_all() { return {false, false, false, false, false}; }
};

// The packet with the derived fields selected in `options` filled in (padding added where a
// length is computed). serialize(p, o) == serialize(with_computed_fields(p, o), keep_all()),
// and parse_ipv4(serialize(p)) == with_computed_fields(p) for every well-formed p.
// RawPayload gets no transport length or checksum. Lengths that do not fit their fields (over
// 40 option bytes, over 65535 bytes in total) are truncated to the field width.
[[nodiscard]] Ipv4Packet with_computed_fields(Ipv4Packet packet, const SerializeOptions& options = {});

// Wire bytes of the packet; see SerializeOptions.
[[nodiscard]] std::vector<std::uint8_t> serialize(const Ipv4Packet& packet, const SerializeOptions& options = {});

// Bytes of one transport value exactly as its fields say (no computation).
[[nodiscard]] std::vector<std::uint8_t> serialize_payload(const Ipv4Payload& payload);

// Checksum checks on a parsed packet (a received checksum is correct when these return true).
[[nodiscard]] bool verify_ip_checksum(const Ipv4Header& header);
// TCP/UDP (pseudo-header) or ICMP checksum; UDP checksum 0 ("none") counts as correct;
// RawPayload returns true (nothing to check).
[[nodiscard]] bool verify_transport_checksum(const Ipv4Packet& packet);

} // namespace stackprint::wire
