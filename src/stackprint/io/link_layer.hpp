#pragma once
// Turning one link-layer frame, as libpcap delivers it from a file or a live interface, into an
// owned CapturedFrame that starts at the IPv4 header. Shared by capture files and live capture so
// both read exactly the same way.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stackprint/base/frame.hpp"

namespace stackprint::io {

// Offset of the IPv4 header inside `frame` for libpcap link type `link_type` (a DLT_ value):
// Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1/v2, raw IP and BSD loopback links.
// nullopt when the frame is too short, not IPv4, or of another link type. Never reads past `frame`.
[[nodiscard]] std::optional<std::size_t> ipv4_offset(int link_type, std::span<const std::uint8_t> frame);

// Which frames frame_from_link_layer() keeps: IPv4 only (capture files: their ARP says nothing
// about a scan), or also Ethernet ARP for IPv4 (live scans: the sender is up, CapturedFrame::arp_sender).
enum class LinkFrames : std::uint8_t { ipv4, ipv4_and_arp };

// The frame as an owned CapturedFrame (bytes copied), with the Ethernet source address kept on
// Ethernet links; nullopt when ipv4_offset() rejects it or no IPv4 version nibble follows. With
// LinkFrames::ipv4_and_arp, an Ethernet ARP packet for IPv4 over Ethernet (untagged or VLAN-tagged,
// request or reply) becomes a CapturedFrame with arp_sender and link_source (its sender hardware
// address) and an empty ip_packet.
[[nodiscard]] std::optional<CapturedFrame> frame_from_link_layer(int link_type, Timestamp time,
                                                                 std::span<const std::uint8_t> frame,
                                                                 LinkFrames keep = LinkFrames::ipv4);

} // namespace stackprint::io
