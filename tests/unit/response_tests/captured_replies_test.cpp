// Cross-check of every response test against Nmap 7.93 itself: for each single-round recorded lab
// capture (tests/data/captures/*/capture.pcap with Nmap's printed fingerprint.txt), the replies are
// picked out of the capture with a minimal model of Nmap's reply matching (docs/nmap-behaviour.md 4.5),
// fed to the response_tests functions, and the resulting lines must equal Nmap's, except SEQ.SP
// and SEQ.ISR: those depend on Nmap's internal send times, which the capture timestamps only
// approximate, so they are allowed a small difference (on the 44 lab captures of 2026-11-27 they
// all came out equal). Captures with several rounds are split into rounds, rebuilt round by round
// and merged with fingerprint::merge_rounds, which checks the merge against Nmap's output too.
//
// This is a test helper, not the project's responses layer: it handles one target.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/fingerprint/merge.hpp"
#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/io/capture_file.hpp"
#include "stackprint/response_tests/hex.hpp"
#include "stackprint/response_tests/lines.hpp"
#include "stackprint/response_tests/omission.hpp"
#include "stackprint/response_tests/seq.hpp"
#include "stackprint/response_tests/tcp_reply.hpp"
#include "stackprint/response_tests/u1.hpp"
#include "stackprint/wire/ipv4_packet.hpp"
#include "support/captures.hpp"

namespace stackprint::response_tests {
namespace {

namespace fs = std::filesystem;
using fingerprint::TestLine;

struct Packet {
  std::int64_t time_us;
  wire::Ipv4Packet parsed;
  std::vector<std::uint8_t> bytes;
};

struct Exchange {
  std::vector<Packet> packets;
  std::uint32_t scanner = 0;
  std::uint32_t target = 0;
  std::int64_t scan_delay_ms = 0;
};

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::int64_t parse_delay_ms(const std::string& text) {
  // Nmap accepts "600ms", "1s", "1.5s" or a bare number of seconds... the lab uses ms or s.
  if (text.ends_with("ms")) return std::stoll(text.substr(0, text.size() - 2));
  if (text.ends_with("s")) return static_cast<std::int64_t>(std::stod(text.substr(0, text.size() - 1)) * 1000);
  return static_cast<std::int64_t>(std::stod(text) * 1000);
}

std::optional<Exchange> load(const fs::path& dir) {
  const auto meta = nlohmann::json::parse(read_all(dir / "meta.json"), nullptr, false);
  if (meta.is_discarded()) return std::nullopt;
  Exchange ex;
  const auto scanner = parse_ipv4_address(meta.value("scanner_ip", ""));
  const auto target = parse_ipv4_address(meta.value("target_ip", ""));
  if (!scanner || !target) return std::nullopt;
  ex.scanner = scanner->value;
  ex.target = target->value;
  const auto& cmd = meta["nmap_command"];
  for (std::size_t i = 0; i + 1 < cmd.size(); ++i) {
    if (cmd[i] == "--scan-delay") ex.scan_delay_ms = parse_delay_ms(cmd[i + 1].get<std::string>());
  }
  const auto capture = io::read_capture_file(dir / "capture.pcap");
  if (!capture) return std::nullopt;
  for (const auto& frame : capture->frames) {
    auto parsed = wire::parse_ipv4(frame.ip_packet);
    if (!parsed) continue;
    ex.packets.push_back(Packet{frame.time.time_since_epoch().count(), std::move(*parsed), frame.ip_packet});
  }
  return ex;
}

bool from_scanner(const Exchange& ex, const Packet& p) {
  return p.parsed.ip.source == ex.scanner && p.parsed.ip.destination == ex.target;
}
bool from_target(const Exchange& ex, const Packet& p) {
  return p.parsed.ip.source == ex.target && p.parsed.ip.destination == ex.scanner;
}

TcpReplyFields tcp_fields(const Packet& p) {
  const auto& tcp = *p.parsed.tcp();
  TcpReplyFields f;
  f.df = p.parsed.ip.dont_fragment;
  f.window = tcp.window;
  f.seq = tcp.sequence;
  f.ack = tcp.acknowledgment;
  f.flags = tcp.flags;
  f.reserved_nibble = tcp.reserved;
  f.urgent_pointer = tcp.urgent_pointer;
  f.options = tcp.options_raw;
  f.after_options = tcp.payload;
  f.rst_payload = tcp.payload;
  return f;
}

// SEQ #0 and the OPS/WIN re-send #0 are the only SYNs with window 1 and options starting with
// WS 10 (then NOP, MSS 1460); both carry the round's tcpSeqBase, SEQ #0 first.
bool is_window1_probe(const Exchange& ex, const Packet& p) {
  const auto* tcp = p.parsed.tcp();
  return from_scanner(ex, p) && tcp && tcp->flags == wire::k_tcp_syn && tcp->window == 1 &&
         tcp->options_raw.size() >= 4 && tcp->options_raw[0] == 3 && tcp->options_raw[2] == 10;
}

bool is_ie1_probe(const Exchange& ex, const Packet& p) {
  const auto* icmp = p.parsed.icmp();
  return from_scanner(ex, p) && icmp && icmp->type == 8 && icmp->code == 9;
}

// Start times of the OS detection rounds: each round sends SEQ #0 first (with a new tcpSeqBase), or
// IE #1 first when there is no open port (each round draws a new ICMP id, so retransmissions do not
// start a round).
std::vector<std::int64_t> round_starts(const Exchange& ex) {
  std::vector<std::int64_t> starts;
  std::vector<std::uint32_t> seq_bases;
  for (const auto& p : ex.packets) {
    if (!is_window1_probe(ex, p)) continue;
    const auto seq = p.parsed.tcp()->sequence;
    if (std::find(seq_bases.begin(), seq_bases.end(), seq) == seq_bases.end()) {
      seq_bases.push_back(seq);
      starts.push_back(p.time_us);
    }
  }
  if (!starts.empty()) return starts;
  std::vector<std::uint16_t> ids;
  for (const auto& p : ex.packets) {
    if (!is_ie1_probe(ex, p)) continue;
    const auto id = p.parsed.icmp()->echo_identifier();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      ids.push_back(id);
      starts.push_back(p.time_us);
    }
  }
  return starts;
}

// The time windows of one round: probes are those sent in [probe_start, probe_end); replies are
// those Nmap reads during the round, [reply_start, reply_end). 7.93 reuses the source ports every
// round, so a late reply that arrives between two rounds stays in the pcap buffer and is consumed
// by the NEXT round as if it answered that round's probe (seen in loss30tries5: a retransmitted
// ECN SYN/ACK of round 3 filled round 4's ECN test, whose probe was then never sent).
struct RoundWindow {
  std::int64_t probe_start = 0;
  std::int64_t probe_end = 0;
  std::int64_t reply_start = 0;
  std::int64_t reply_end = 0;
};

std::vector<RoundWindow> round_windows(const Exchange& ex, const std::vector<std::int64_t>& starts) {
  constexpr std::int64_t k_read_after_last_probe_us = 250000; // Nmap keeps reading until timeouts
  constexpr std::int64_t k_last_round_tail_us = 100000;
  std::vector<RoundWindow> windows;
  for (std::size_t r = 0; r < starts.size(); ++r) {
    RoundWindow w;
    w.probe_start = starts[r];
    w.probe_end = r + 1 < starts.size() ? starts[r + 1] : std::numeric_limits<std::int64_t>::max();
    std::int64_t last_probe = w.probe_start;
    for (const auto& p : ex.packets) {
      const auto* tcp = p.parsed.tcp();
      const bool kernel_rst = tcp && tcp->flags == wire::k_tcp_rst; // our kernel answering a SYN/ACK
      if (from_scanner(ex, p) && !kernel_rst && p.time_us >= w.probe_start && p.time_us < w.probe_end) {
        last_probe = p.time_us;
      }
    }
    w.reply_start = r == 0 ? w.probe_start : windows.back().reply_end;
    // After the last round Nmap stops once its last probe timed out (100 ms on these LAN runs), so
    // a retransmitted SEQ SYN/ACK after that is never read (lateseq6ts2, lateseq25).
    w.reply_end = last_probe + (r + 1 < starts.size() ? k_read_after_last_probe_us : k_last_round_tail_us);
    windows.push_back(w);
  }
  return windows;
}

// One round of Nmap's processResp + makeFP.
fingerprint::Fingerprint rebuild(const Exchange& ex, const fingerprint::ScanLine& scan, const RoundWindow& window) {
  fingerprint::Fingerprint fp;
  const std::int64_t start = window.probe_start;
  const std::int64_t end = window.probe_end;
  auto in_round = [&](const Packet& p) { return p.time_us >= start && p.time_us < end; };
  std::optional<std::uint16_t> base;
  std::uint32_t seq_base = 0;
  std::uint32_t ack_base = 0;
  for (const auto& p : ex.packets) {
    if (in_round(p) && is_window1_probe(ex, p)) { // the first one is SEQ #0
      base = p.parsed.tcp()->source_port;
      seq_base = p.parsed.tcp()->sequence;
      ack_base = p.parsed.tcp()->acknowledgment;
      break;
    }
  }
  if (!base) {
    // No open port: T5 (= base + 17, a SYN with window 31337) still reveals the base.
    for (const auto& p : ex.packets) {
      const auto* tcp = p.parsed.tcp();
      if (in_round(p) && from_scanner(ex, p) && tcp && tcp->flags == wire::k_tcp_syn && tcp->window == 31337) {
        base = static_cast<std::uint16_t>(tcp->source_port - 17);
        seq_base = tcp->sequence;
        ack_base = tcp->acknowledgment;
        break;
      }
    }
  }

  // The probes whose sent values the tests compare with.
  SeqInput seq_input;
  seq_input.scan_delay_ms = ex.scan_delay_ms;
  seq_input.slots.resize(6);
  std::optional<std::uint16_t> echo_id;
  std::map<std::uint16_t, std::vector<std::int64_t>> echo_sends; // ICMP id -> send times
  std::optional<Packet> u1_probe;
  for (const auto& p : ex.packets) {
    if (!from_scanner(ex, p) || !in_round(p)) continue;
    if (const auto* tcp = p.parsed.tcp(); tcp && base && tcp->flags == wire::k_tcp_syn) {
      const int index = tcp->source_port - *base;
      if (index >= 0 && index < 6 && seq_input.slots[static_cast<std::size_t>(index)].send_time_us == 0) {
        seq_input.slots[static_cast<std::size_t>(index)].send_time_us = p.time_us;
      }
    }
    if (const auto* icmp = p.parsed.icmp(); icmp && icmp->type == 8) {
      if (icmp->code == 9 && !echo_id) echo_id = icmp->echo_identifier();
      echo_sends[icmp->echo_identifier()].push_back(p.time_us);
    }
    if (p.parsed.udp() && p.parsed.ip.id == k_u1_ip_id && p.parsed.ip.total_length == k_u1_ip_total_length &&
        !u1_probe) {
      u1_probe = p;
    }
  }

  std::optional<Packet> t_reply[7];
  std::optional<Packet> ecn_reply;
  std::optional<std::string> ops[6];
  std::optional<std::uint16_t> win[6];
  std::optional<std::uint16_t> closed_ids[3];
  std::optional<Packet> echo_reply[2];
  std::optional<std::uint16_t> echo_ids[2];
  std::optional<Packet> u1_reply;
  std::uint16_t last_ip_id = 0;
  for (const auto& p : ex.packets) {
    if (!from_target(ex, p) || p.time_us < window.reply_start || p.time_us >= window.reply_end) continue;
    if (const auto* tcp = p.parsed.tcp(); tcp && base) {
      const int testno = tcp->destination_port - *base;
      if (testno >= 0 && testno < 6) {
        const auto slot = static_cast<std::size_t>(testno);
        // processTSeqResp: duplicate IP ID drop, RSTs ignored, SYN/ACK fills an empty slot.
        const bool duplicate = last_ip_id != 0 && p.parsed.ip.id == last_ip_id;
        if (!duplicate) {
          last_ip_id = p.parsed.ip.id;
          if (tcp->has_flags(wire::k_tcp_syn | wire::k_tcp_ack) && !(tcp->flags & wire::k_tcp_rst)) {
            auto& reply = seq_input.slots[slot].reply;
            if (!reply || reply->isn == 0) {
              reply = SeqReply{tcp->sequence, p.parsed.ip.id, timestamp_option_value(tcp->options_raw)};
              seq_input.arrival_order.push_back(slot);
            }
          }
        }
        if (testno == 0 && !t_reply[0]) t_reply[0] = p;
        if (!ops[slot]) ops[slot] = tcp_option_string(tcp->options_raw, OptionWalk::nmap_7_93, tcp->payload);
        if (!win[slot]) win[slot] = tcp->window;
      } else if (testno >= 6 && testno < 12) {
        const auto slot = static_cast<std::size_t>(testno - 6);
        if (!ops[slot]) ops[slot] = tcp_option_string(tcp->options_raw, OptionWalk::nmap_7_93, tcp->payload);
        if (!win[slot]) win[slot] = tcp->window;
      } else if (testno == 12) {
        if (!ecn_reply) ecn_reply = p;
      } else if (testno >= 13 && testno < 20) {
        const auto t = static_cast<std::size_t>(testno - 13);
        if (!t_reply[t]) {
          t_reply[t] = p;
          if (t >= 4) closed_ids[t - 4] = p.parsed.ip.id;
        }
      }
    }
    if (const auto* icmp = p.parsed.icmp()) {
      if (icmp->type == 0 && echo_id) {
        const int index = icmp->echo_identifier() - *echo_id;
        if ((index == 0 || index == 1) && !echo_reply[index] && !(echo_reply[0] && echo_reply[1])) {
          echo_reply[index] = p;
          const auto& sends = echo_sends[icmp->echo_identifier()];
          const auto sent_before =
              std::count_if(sends.begin(), sends.end(), [&](std::int64_t t) { return t <= p.time_us; });
          if (sent_before == 1) echo_ids[index] = p.parsed.ip.id;
        }
      }
      if (icmp->type == 3 && icmp->code == 3 && u1_probe && !u1_reply) {
        const auto quoted = icmp->quoted_packet();
        const auto* probe_udp = u1_probe->parsed.udp();
        if (quoted && quoted->udp && quoted->udp->source_port == probe_udp->source_port &&
            quoted->udp->destination_port == probe_udp->destination_port) {
          u1_reply = p;
        }
      }
    }
  }

  // makeFP: the U1 distance, then every line.
  std::optional<int> distance;
  if (u1_reply) {
    distance = u1_hop_distance(u1_probe->parsed.ip.ttl, u1_reply->parsed.icmp()->quoted_packet()->ip.ttl);
  }
  auto ttl_of = [&](const Packet& p) { return ttl_attribute(p.parsed.ip.ttl, distance); };

  SeqLineInput seq_line_input;
  seq_line_input.seq = seq_input;
  seq_line_input.closed_port_ip_ids.assign(std::begin(closed_ids), std::end(closed_ids));
  seq_line_input.echo_ip_ids.assign(std::begin(echo_ids), std::end(echo_ids));
  if (auto seq = make_seq_line(seq_line_input).line) fp.tests.push_back(*seq);
  if (std::all_of(std::begin(ops), std::end(ops), [](const auto& o) { return o.has_value(); }) &&
      std::all_of(std::begin(win), std::end(win), [](const auto& w) { return w.has_value(); })) {
    std::array<std::string, 6> o;
    std::array<std::uint16_t, 6> w{};
    for (std::size_t i = 0; i < 6; ++i) {
      o[i] = *ops[i];
      w[i] = *win[i];
    }
    fp.tests.push_back(ops_line(o));
    fp.tests.push_back(win_line(w));
  }
  const PortKnowledge ports{scan.open_tcp_port.has_value(), scan.closed_tcp_port.has_value()};
  auto missing = [&](const char* name) {
    if (missing_reply_line(name, ports) == MissingReply::shown_as_no_response) {
      fp.tests.push_back(no_response_line(name));
    }
  };
  if (ecn_reply)
    fp.tests.push_back(ecn_line(tcp_fields(*ecn_reply), ttl_of(*ecn_reply), OptionWalk::nmap_7_93));
  else
    missing("ECN");
  for (int t = 0; t < 7; ++t) {
    const std::string name = "T" + std::to_string(t + 1);
    if (t_reply[t]) {
      fp.tests.push_back(t_line(t + 1, tcp_fields(*t_reply[t]), ProbeNumbers{seq_base, ack_base}, ttl_of(*t_reply[t]),
                                OptionWalk::nmap_7_93));
    } else {
      missing(name.c_str());
    }
  }
  if (u1_reply) {
    const auto& icmp = *u1_reply->parsed.icmp();
    const auto quoted = icmp.quoted_packet();
    U1ReplyFields f;
    f.df = u1_reply->parsed.ip.dont_fragment;
    f.ip_total_length = u1_reply->parsed.ip.total_length;
    f.icmp_unused = icmp.rest_of_header;
    f.quoted_ip_total_length = quoted->ip.total_length;
    f.quoted_ip_id = quoted->ip.id;
    const std::size_t quote_start = u1_reply->parsed.ip.header_length() + 8;
    std::copy_n(u1_reply->bytes.begin() + static_cast<std::ptrdiff_t>(quote_start), 20, f.quoted_ip_header.begin());
    f.quoted_udp_checksum = quoted->udp->checksum;
    f.returned_payload = u1_returned_payload(u1_reply->bytes);
    fp.tests.push_back(u1_line(f, U1ProbeFields{k_u1_ip_id, u1_probe->parsed.udp()->checksum}, ttl_of(*u1_reply)));
  } else {
    missing("U1");
  }
  if (echo_reply[0] && echo_reply[1]) {
    fp.tests.push_back(ie_line(echo_reply[0]->parsed.ip.dont_fragment, echo_reply[1]->parsed.ip.dont_fragment,
                               echo_reply[0]->parsed.icmp()->code, echo_reply[1]->parsed.icmp()->code,
                               ttl_of(*echo_reply[0])));
  } else {
    missing("IE");
  }
  return fp;
}

// SP and ISR come from send-time differences; allow a small difference and blank them out.
void compare_seq_timing(TestLine& ours, TestLine& nmaps, const std::string& where) {
  for (const char* name : {"SP", "ISR"}) {
    const std::string* a = ours.find(name);
    const std::string* b = nmaps.find(name);
    ASSERT_EQ(a == nullptr, b == nullptr) << where << " SEQ." << name;
    if (a == nullptr) continue;
    const long diff = std::stol(*a, nullptr, 16) - std::stol(*b, nullptr, 16);
    if (diff != 0) std::cout << "[ " << where << " SEQ." << name << " differs by " << diff << " ]\n";
    EXPECT_LE(std::abs(diff), 4) << where << " SEQ." << name << " ours " << *a << " nmap " << *b;
    for (auto* line : {&ours, &nmaps}) {
      for (auto& attr : line->attributes) {
        if (attr.name == name) attr.value = "~";
      }
    }
  }
}

TEST(CapturedReplies, EveryLineMatchesNmap) {
  const fs::path root = fs::path(STACKPRINT_TEST_DATA_DIR) / "captures";
  ASSERT_TRUE(fs::exists(root)) << root;
  std::size_t compared = 0;
  int multi_round = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    const auto dir = entry.path();
    if (!fs::exists(dir / "capture.pcap") || !fs::exists(dir / "fingerprint.txt") || !fs::exists(dir / "meta.json")) {
      continue;
    }
    const std::string where = dir.filename().string();
    SCOPED_TRACE(where);
    auto expected = fingerprint::parse_fingerprint(read_all(dir / "fingerprint.txt"));
    ASSERT_TRUE(expected) << expected.error().message;
    const auto scan = fingerprint::parse_scan_line(*expected->scan);
    ASSERT_TRUE(scan) << scan.error().message;
    const auto exchange = load(dir);
    ASSERT_TRUE(exchange);
    const auto starts = round_starts(*exchange);
    if (starts.empty()) continue;
    std::vector<fingerprint::Fingerprint> rounds;
    for (const auto& window : round_windows(*exchange, starts)) rounds.push_back(rebuild(*exchange, *scan, window));
    // Nmap prints the merge of all rounds (one round merges to itself).
    auto ours = fingerprint::merge_rounds(rounds);
    expected->scan.reset();
    ASSERT_EQ(ours.tests.size(), expected->tests.size()) << fingerprint::format_plain(ours);
    for (std::size_t i = 0; i < ours.tests.size(); ++i) {
      if (ours.tests[i].name == "SEQ" && expected->tests[i].name == "SEQ") {
        compare_seq_timing(ours.tests[i], expected->tests[i], where);
      }
    }
    EXPECT_EQ(fingerprint::format_plain(ours), fingerprint::format_plain(*expected));
    if (rounds.size() > 1) ++multi_round;
    ++compared;
  }
  EXPECT_GE(compared, test_support::k_min_recorded_nmap_runs);
  std::cout << "[ captures compared: " << compared << ", of which with several rounds: " << multi_round << " ]\n";
}

} // namespace
} // namespace stackprint::response_tests
