#include "stackprint/wire/packet_builders.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::wire {
namespace {

// Flag letters high to low bit (CWR ECE URG ACK PSH RST SYN FIN), tcpdump-style where it has one.
std::string flag_letters(std::uint8_t flags) {
  static constexpr std::array<std::pair<std::uint8_t, char>, 8> k_letters{{{k_tcp_fin, 'F'},
                                                                           {k_tcp_syn, 'S'},
                                                                           {k_tcp_rst, 'R'},
                                                                           {k_tcp_psh, 'P'},
                                                                           {k_tcp_ack, '.'},
                                                                           {k_tcp_urg, 'U'},
                                                                           {k_tcp_ece, 'E'},
                                                                           {k_tcp_cwr, 'W'}}};
  std::string text;
  for (const auto& [bit, letter] : k_letters) {
    if ((flags & bit) != 0) { text.push_back(letter); }
  }
  return text.empty() ? std::string("none") : text;
}

} // namespace

IcmpMessage make_icmp_error(std::uint8_t type, std::uint8_t code, std::span<const std::uint8_t> offending,
                            std::size_t quote_limit, std::uint32_t rest_of_header) {
  IcmpMessage message;
  message.type = type;
  message.code = code;
  message.rest_of_header = rest_of_header;
  const auto quoted = offending.first(std::min(quote_limit, offending.size()));
  message.payload.assign(quoted.begin(), quoted.end());
  return message;
}

IcmpMessage make_echo_reply(const IcmpMessage& request) {
  IcmpMessage reply = request;
  reply.type = k_icmp_echo_reply;
  reply.checksum = 0;
  return reply;
}

std::string summarize_packet(const Ipv4Packet& packet) {
  const Ipv4Header& ip = packet.ip;
  std::string text = fmt::format("{} > {} id {} ttl {} len {}{}{}", to_string(Ipv4Address{ip.source}),
                                 to_string(Ipv4Address{ip.destination}), ip.id, ip.ttl, ip.total_length,
                                 ip.dont_fragment ? " DF" : "", ip.tos != 0 ? fmt::format(" tos 0x{:x}", ip.tos) : "");
  if (const auto* tcp = packet.tcp()) {
    text += fmt::format(" TCP {} > {} [{}] seq {} ack {} win {} res {} urg {} opts {}", tcp->source_port,
                        tcp->destination_port, flag_letters(tcp->flags), tcp->sequence, tcp->acknowledgment,
                        tcp->window, tcp->reserved, tcp->urgent_pointer, tcp->options_raw.size());
    if (!tcp->payload.empty()) { text += fmt::format(" data {}", tcp->payload.size()); }
  } else if (const auto* udp = packet.udp()) {
    text += fmt::format(" UDP {} > {} ulen {} data {}", udp->source_port, udp->destination_port, udp->length,
                        udp->payload.size());
  } else if (const auto* icmp = packet.icmp()) {
    text += fmt::format(" ICMP type {} code {}", icmp->type, icmp->code);
    if (icmp->type == k_icmp_echo_request || icmp->type == k_icmp_echo_reply) {
      text += fmt::format(" id {} seq {}", icmp->echo_identifier(), icmp->echo_sequence());
    }
    text += fmt::format(" data {}", icmp->payload.size());
  } else if (const auto* raw = packet.raw()) {
    text += fmt::format(" proto {} raw {}{}", ip.protocol, raw->bytes.size(),
                        ip.is_fragment() ? fmt::format(" frag {}", ip.fragment_offset * 8) : "");
  }
  return text;
}

} // namespace stackprint::wire
