#include "stackprint/responses/round_analysis.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

#include "stackprint/response_tests/lines.hpp"
#include "stackprint/response_tests/seq.hpp"
#include "stackprint/response_tests/ttl.hpp"
#include "stackprint/response_tests/u1.hpp"

namespace stackprint::responses {
namespace {

using fingerprint::TestLine;
using probes::ProbeId;
namespace rt = response_tests;

std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }

// The collector only stores TCP packets in TCP slots and ICMP packets in ICMP slots; these
// accessors keep that assumption in one place (an empty value stands in if it were ever broken).
const wire::TcpSegment& tcp_of(const Reply& reply) {
  static const wire::TcpSegment k_empty{};
  const wire::TcpSegment* tcp = reply.packet.tcp();
  return tcp != nullptr ? *tcp : k_empty;
}

const wire::IcmpMessage& icmp_of(const Reply& reply) {
  static const wire::IcmpMessage k_empty{};
  const wire::IcmpMessage* icmp = reply.packet.icmp();
  return icmp != nullptr ? *icmp : k_empty;
}

rt::TcpReplyFields tcp_fields(const Reply& reply) {
  const wire::TcpSegment& tcp = tcp_of(reply);
  rt::TcpReplyFields fields;
  fields.df = reply.packet.ip.dont_fragment;
  fields.window = tcp.window;
  fields.seq = tcp.sequence;
  fields.ack = tcp.acknowledgment;
  fields.flags = tcp.flags;
  fields.reserved_nibble = tcp.reserved;
  fields.urgent_pointer = tcp.urgent_pointer;
  fields.options = tcp.options_raw;
  fields.after_options = tcp.payload;
  fields.rst_payload = tcp.payload;
  return fields;
}

rt::U1ReplyFields u1_fields(const Reply& reply, const wire::QuotedIpv4Packet& quoted) {
  const wire::IcmpMessage& icmp = icmp_of(reply);
  rt::U1ReplyFields fields;
  fields.df = reply.packet.ip.dont_fragment;
  fields.ip_total_length = reply.packet.ip.total_length;
  fields.icmp_unused = icmp.rest_of_header;
  fields.quoted_ip_total_length = quoted.ip.total_length;
  fields.quoted_ip_id = quoted.ip.id;
  std::copy_n(icmp.payload.begin(), fields.quoted_ip_header.size(), fields.quoted_ip_header.begin());
  fields.quoted_udp_checksum = quoted.udp ? quoted.udp->checksum : 0;
  fields.returned_payload = rt::u1_returned_payload(reply.bytes);
  return fields;
}

rt::SeqLineInput seq_input(const RoundReplies& replies, const RoundConditions& conditions) {
  rt::SeqLineInput input;
  input.scanning_localhost = conditions.scanning_localhost;
  input.seq.scan_delay_ms = conditions.scan_delay_ms;
  input.seq.arrival_order = replies.seq_arrival_order;
  for (std::size_t i = 0; i < replies.seq.size(); ++i) {
    rt::SeqSlot slot;
    slot.send_time_us = replies.seq_send_times[i] ? micros(*replies.seq_send_times[i]) : 0;
    if (const auto& reply = replies.seq[i]) {
      const wire::TcpSegment& tcp = tcp_of(*reply);
      rt::SeqReply sample;
      sample.isn = tcp.sequence;
      sample.ip_id = reply->packet.ip.id;
      // Nmap's own option walk decides whether a TSval is there (an EOL before it means none).
      sample.tsval = rt::timestamp_option_value(tcp.options_raw);
      slot.reply = sample;
    }
    input.seq.slots.push_back(slot);
  }
  for (std::size_t i = 4; i < 7; ++i) {
    input.closed_port_ip_ids.push_back(replies.t[i] ? std::optional<std::uint16_t>(replies.t[i]->packet.ip.id)
                                                    : std::nullopt);
  }
  for (std::size_t i = 0; i < 2; ++i) {
    const bool usable = replies.echo[i] && !replies.echo_reply_after_retransmission[i];
    input.echo_ip_ids.push_back(usable ? std::optional<std::uint16_t>(replies.echo[i]->packet.ip.id) : std::nullopt);
  }
  return input;
}

double timing_ratio(const RoundReplies& replies) {
  if (!replies.seq_send_times[0] || !replies.seq_send_times[5]) { return 0.0; }
  // 7.93 computes the ratio after packing answered slots to the front: the first entry is then the
  // first answered probe's send time, while the last entry still holds SEQ6's.
  Timestamp first = *replies.seq_send_times[0];
  for (std::size_t i = 0; i < replies.seq.size(); ++i) {
    if (replies.seq[i] && tcp_of(*replies.seq[i]).sequence != 0 && replies.seq_send_times[i]) {
      first = *replies.seq_send_times[i];
      break;
    }
  }
  const auto elapsed = std::chrono::duration<double, std::milli>(*replies.seq_send_times[5] - first);
  return elapsed.count() / 500.0;
}

} // namespace

RoundAnalysis analyze_round(const RoundReplies& replies, const probes::ProbeContext& context,
                            const RoundConditions& conditions) {
  RoundAnalysis analysis;
  auto& tests = analysis.fingerprint.tests;

  std::optional<wire::QuotedIpv4Packet> u1_quote;
  if (replies.u1) {
    if (auto quoted = icmp_of(*replies.u1).quoted_packet(); quoted && icmp_of(*replies.u1).payload.size() >= 20) {
      u1_quote = std::move(*quoted);
      analysis.u1_hop_distance = rt::u1_hop_distance(context.udp_ttl, u1_quote->ip.ttl);
    }
  }
  const auto ttl_of = [&](const Reply& reply) {
    return rt::ttl_attribute(reply.packet.ip.ttl, analysis.u1_hop_distance);
  };

  analysis.seq = rt::make_seq_line(seq_input(replies, conditions));
  if (analysis.seq.line) { tests.push_back(*analysis.seq.line); }

  const bool all_ops =
      std::all_of(replies.ops_win.begin(), replies.ops_win.end(), [](const auto& reply) { return reply.has_value(); });
  if (all_ops) {
    std::array<std::string, 6> options;
    std::array<std::uint16_t, 6> windows{};
    for (std::size_t i = 0; i < 6; ++i) {
      const wire::TcpSegment& tcp = tcp_of(*replies.ops_win[i]);
      options[i] = rt::tcp_option_string(tcp.options_raw, conditions.option_walk, tcp.payload);
      windows[i] = tcp.window;
    }
    tests.push_back(rt::ops_line(options));
    tests.push_back(rt::win_line(windows));
  }

  const auto add_missing = [&](const char* name) {
    if (rt::missing_reply_line(name, conditions.ports) == rt::MissingReply::shown_as_no_response) {
      tests.push_back(rt::no_response_line(name));
    }
  };

  if (replies.ecn) {
    tests.push_back(rt::ecn_line(tcp_fields(*replies.ecn), ttl_of(*replies.ecn), conditions.option_walk));
  } else {
    add_missing("ECN");
  }
  const rt::ProbeNumbers t_probe{context.tcp_seq_base, context.tcp_ack};
  for (std::size_t i = 0; i < replies.t.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    if (replies.t[i]) {
      tests.push_back(
          rt::t_line(number, tcp_fields(*replies.t[i]), t_probe, ttl_of(*replies.t[i]), conditions.option_walk));
    } else {
      add_missing(("T" + std::to_string(number)).c_str());
    }
  }

  if (replies.u1 && u1_quote) {
    const wire::Ipv4Packet sent = probes::build_probe(ProbeId::U1, context, {});
    const rt::U1ProbeFields probe{sent.ip.id, sent.udp()->checksum};
    tests.push_back(rt::u1_line(u1_fields(*replies.u1, *u1_quote), probe, ttl_of(*replies.u1)));
  } else {
    add_missing("U1");
  }

  if (replies.echo[0] && replies.echo[1]) {
    const auto& first = replies.echo[0]->packet;
    const auto& second = replies.echo[1]->packet;
    tests.push_back(rt::ie_line(first.ip.dont_fragment, second.ip.dont_fragment, icmp_of(*replies.echo[0]).code,
                                icmp_of(*replies.echo[1]).code, ttl_of(*replies.echo[0])));
  } else {
    add_missing("IE");
  }

  analysis.timing_ratio = timing_ratio(replies);
  return analysis;
}

} // namespace stackprint::responses
