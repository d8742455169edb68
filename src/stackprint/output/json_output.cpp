#include "stackprint/output/json_output.hpp"

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/output/os_section.hpp"
#include "stackprint/probes/probe_id.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/scoring/partial_match.hpp"
#include "stackprint/wire/tcp_segment.hpp"

namespace stackprint::output {
namespace {

using json = nlohmann::ordered_json;

const char* outcome_name(scoring::Outcome outcome) {
  switch (outcome) {
  case scoring::Outcome::success: return "success";
  case scoring::Outcome::no_matches: return "no_matches";
  case scoring::Outcome::too_many_matches: return "too_many_matches";
  }
  return "no_matches";
}

std::string mac_text(const std::array<std::uint8_t, 6>& mac) {
  return fmt::format("{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (const auto b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

// TCP flags in Nmap's F= letter order (E U A P R S F plus C for CWR).
std::string tcp_flag_letters(std::uint8_t flags) {
  std::string out;
  if ((flags & wire::k_tcp_cwr) != 0) out += 'C';
  if ((flags & wire::k_tcp_ece) != 0) out += 'E';
  if ((flags & wire::k_tcp_urg) != 0) out += 'U';
  if ((flags & wire::k_tcp_ack) != 0) out += 'A';
  if ((flags & wire::k_tcp_psh) != 0) out += 'P';
  if ((flags & wire::k_tcp_rst) != 0) out += 'R';
  if ((flags & wire::k_tcp_syn) != 0) out += 'S';
  if ((flags & wire::k_tcp_fin) != 0) out += 'F';
  return out;
}

json reply_json(const responses::Reply& reply) {
  json r;
  r["time_us"] = std::chrono::duration_cast<std::chrono::microseconds>(reply.time.time_since_epoch()).count();
  r["ip"] = json{{"ttl", reply.packet.ip.ttl},
                 {"id", reply.packet.ip.id},
                 {"df", reply.packet.ip.dont_fragment},
                 {"tos", reply.packet.ip.tos},
                 {"total_length", reply.packet.ip.total_length}};
  if (const auto* tcp = reply.packet.tcp()) {
    r["tcp"] = json{{"flags", tcp_flag_letters(tcp->flags)},
                    {"window", tcp->window},
                    {"seq", tcp->sequence},
                    {"ack", tcp->acknowledgment},
                    {"urgent_pointer", tcp->urgent_pointer},
                    {"reserved", tcp->reserved},
                    {"options_hex", hex_bytes(tcp->options_raw)},
                    {"payload_bytes", tcp->payload.size()}};
  } else if (const auto* icmp = reply.packet.icmp()) {
    r["icmp"] = json{{"type", icmp->type}, {"code", icmp->code}, {"payload_bytes", icmp->payload.size()}};
  }
  return r;
}

void add_reply(json& probes, const char* probe, const std::optional<responses::Reply>& reply,
               const std::optional<Timestamp>& sent = std::nullopt) {
  json p;
  p["probe"] = probe;
  if (sent) p["sent_us"] = std::chrono::duration_cast<std::chrono::microseconds>(sent->time_since_epoch()).count();
  p["response"] = reply ? reply_json(*reply) : json(nullptr);
  probes.push_back(std::move(p));
}

// Which probes feed a test line, and what came back (Nmap's test-to-probe mapping, docs/nmap-behaviour.md 4.5).
json test_probes(const std::string& test, const responses::RoundReplies& r) {
  json probes = json::array();
  static constexpr std::array<const char*, 6> k_seq{"SEQ1", "SEQ2", "SEQ3", "SEQ4", "SEQ5", "SEQ6"};
  static constexpr std::array<const char*, 7> k_t{"T1", "T2", "T3", "T4", "T5", "T6", "T7"};
  if (test == "SEQ") {
    for (std::size_t i = 0; i < 6; ++i) add_reply(probes, k_seq[i], r.seq[i], r.seq_send_times[i]);
  } else if (test == "OPS" || test == "WIN") {
    for (std::size_t i = 0; i < 6; ++i) add_reply(probes, k_seq[i], r.ops_win[i]);
  } else if (test == "ECN") {
    add_reply(probes, "ECN", r.ecn);
  } else if (test.size() == 2 && test[0] == 'T' && test[1] >= '1' && test[1] <= '7') {
    const auto i = static_cast<std::size_t>(test[1] - '1');
    add_reply(probes, i == 0 ? "SEQ1/T1" : k_t[i], r.t[i]);
  } else if (test == "IE") {
    add_reply(probes, "IE1", r.echo[0]);
    add_reply(probes, "IE2", r.echo[1]);
  } else if (test == "U1") {
    add_reply(probes, "U1", r.u1);
  }
  return probes;
}

json attributes_json(const fingerprint::TestLine& line) {
  json values = json::object();
  for (const auto& a : line.attributes) values[a.name] = a.value;
  return values;
}

} // namespace

json json_host(const database::OsDb& db, const HostReport& host, const OutputOptions& options, std::int64_t now_s) {
  json j;
  j["schema_version"] = k_json_schema_version;
  j["target"] = to_string(Ipv4Address{host.address});
  j["state"] = host.up ? "up" : "down";
  j["status_reason"] = host.status_reason;
  j["latency_s"] = host.latency_s ? json(*host.latency_s) : json(nullptr);
  j["mac"] = host.mac ? json(mac_text(*host.mac)) : json(nullptr);
  j["start"] = host.start_s;
  j["end"] = host.end_s;
  if (options.shard) {
    j["shard"] =
        json{{"index", options.shard->index},     {"count", options.shard->count}, {"seed", options.shard->seed},
             {"scan_id", options.shard->scan_id}, {"args", options.shard->args},   {"start", options.shard->start_s}};
    json scaninfo = json::array();
    for (const ScanInfo& s : options.shard->scaninfo) {
      scaninfo.push_back(json{{"type", s.type},
                              {"protocol", protocol_name(s.protocol)},
                              {"services", s.services},
                              {"numservices", s.count}});
    }
    j["shard"]["scaninfo"] = std::move(scaninfo);
  }
  json ports = json::array();
  for (const PortLine& p : host.ports) {
    json pj{{"protocol", protocol_name(p.protocol)},
            {"port", p.port},
            {"state", port_state_name(p.state)},
            {"service", p.service},
            {"reason", p.reason}};
    pj["reason_ttl"] = p.reason_ttl ? json(*p.reason_ttl) : json(nullptr);
    ports.push_back(std::move(pj));
  }
  j["ports"] = std::move(ports);
  const auto port_or_null = [](const std::optional<std::uint16_t>& p) { return p ? json(*p) : json(nullptr); };
  j["ports_used"] = json{{"open_tcp", port_or_null(host.run.scan.open_tcp_port)},
                         {"closed_tcp", port_or_null(host.run.scan.closed_tcp_port)},
                         {"closed_udp", port_or_null(host.run.scan.closed_udp_port)}};
  json warnings = json::array();
  if (!host.up || !host.os_detection) {
    j["os_detection"] = nullptr;
    j["warnings"] = std::move(warnings);
    return j;
  }

  const scoring::MatchResult& result = host.final_match();
  const OsSection section = build_os_section(db, host, options);
  json os;
  os["rounds"] = host.run.rounds.size();
  os["match_round"] = host.final_round.match_round + 1;
  os["seq_round"] = host.final_round.seq_round + 1;
  os["perfect"] = host.final_round.matched_perfectly;
  os["outcome"] = outcome_name(result.outcome);
  os["not_ideal_reason"] = host.run.not_ideal_reason ? json(*host.run.not_ideal_reason) : json(nullptr);
  os["good_for_submission"] = !host.run.not_ideal_reason.has_value();
  os["unreliable"] = host.results_unreliable;
  os["fingerprint"] = fingerprint::format_plain(host.run.merged);
  json tests = json::array();
  if (host.final_round.match_round < host.run.rounds.size()) {
    for (const auto& line : host.run.rounds[host.final_round.match_round].fingerprint.tests) {
      tests.push_back(json{{"test", line.name}, {"values", attributes_json(line)}});
    }
  }
  os["tests"] = std::move(tests);
  json matches = json::array();
  for (std::size_t i = 0; i < result.matches.size(); ++i) {
    const scoring::Match& m = result.matches[i];
    const database::Reference& ref = db.references()[m.reference];
    json classes = json::array();
    for (const database::OsClass& c : ref.classes) {
      json cpes = json::array();
      for (const auto& cpe : c.cpes) cpes.push_back(cpe.uri);
      classes.push_back(json{{"vendor", c.vendor},
                             {"family", c.family},
                             {"generation", c.generation ? json(*c.generation) : json(nullptr)},
                             {"device_type", c.device_type},
                             {"cpe", std::move(cpes)}});
    }
    bool reported = false;
    for (const std::size_t x : section.xml_matches) reported = reported || x == i;
    matches.push_back(json{{"name", ref.name},
                           {"accuracy", m.accuracy},
                           {"percent", scoring::percent(m.accuracy)},
                           {"line", ref.line},
                           {"reported", reported},
                           {"classes", std::move(classes)}});
  }
  os["matches"] = std::move(matches);
  os["report_lines"] = section.lines;
  // stackprint only: the test lines the match went without. Present only when some are missing.
  {
    std::vector<std::string> absent;
    if (host.final_round.match_round < host.run.rounds.size()) {
      absent = scoring::absent_tests(host.run.rounds[host.final_round.match_round].fingerprint);
    }
    const responses::SilenceVerdict& silence = host.run.silence;
    if (silence.filtered() || !absent.empty()) {
      os["missing_tests"] = json{{"filtered", silence.filtered_tests},
                                 {"evidence", silence.filtered() ? json(silence.evidence) : json(nullptr)},
                                 {"matched_without_filtered", silence.filtered() && host.partial_match},
                                 {"absent", absent}};
    }
  }
  if (const SeqLeftOut left_out = seq_left_out(host); !left_out.empty()) {
    os["seq_left_out"] =
        json{{"late", left_out.late}, {"retransmitted", left_out.retransmitted}, {"samples", left_out.samples}};
  }
  j["os_detection"] = std::move(os);

  const HostSequenceFacts facts = host_sequence_facts(host, now_s);
  json seq;
  seq["responses"] = facts.responses;
  seq["difficulty_index"] = facts.difficulty_index;
  seq["difficulty"] = facts.difficulty_words;
  seq["ip_id_class"] = facts.ip_id_words;
  seq["ts_class"] = facts.ts_words;
  seq["isns"] = facts.isns;
  seq["ip_ids"] = facts.ip_ids;
  seq["tsvals"] = facts.tsvals;
  seq["uptime_s"] = facts.uptime_s ? json(*facts.uptime_s) : json(nullptr);
  seq["lastboot"] = facts.lastboot_s ? json(*facts.lastboot_s) : json(nullptr);
  j["sequence"] = std::move(seq);
  json distance;
  distance["hops"] = facts.distance ? json(*facts.distance) : json(nullptr);
  distance["method"] = nullptr;
  if (host.run.scan.distance_method) {
    switch (*host.run.scan.distance_method) {
    case fingerprint::DistanceMethod::localhost: distance["method"] = "localhost"; break;
    case fingerprint::DistanceMethod::direct: distance["method"] = "direct"; break;
    case fingerprint::DistanceMethod::icmp: distance["method"] = "icmp"; break;
    case fingerprint::DistanceMethod::traceroute: distance["method"] = "traceroute"; break;
    }
  }
  j["distance"] = std::move(distance);

  // Evidence: for every test line of the matched round, its measured values and, when the replies
  // were kept, which probes fed it and what came back.
  json evidence = json::array();
  const std::size_t round = host.final_round.match_round;
  if (round < host.run.rounds.size()) {
    const responses::RoundReplies* replies = round < host.round_replies.size() ? &host.round_replies[round] : nullptr;
    for (const auto& line : host.run.rounds[round].fingerprint.tests) {
      json e;
      e["test"] = line.name;
      e["values"] = attributes_json(line);
      const std::string* r = line.find("R");
      e["responded"] = r == nullptr || *r != "N";
      e["probes"] = replies != nullptr ? test_probes(line.name, *replies) : json::array();
      evidence.push_back(std::move(e));
    }
  }
  j["evidence"] = std::move(evidence);

  for (const auto& line : section.lines) {
    if (line.rfind("Warning:", 0) == 0) warnings.push_back(line);
  }
  if (host.run.not_ideal_reason) warnings.push_back("OS fingerprint not ideal because: " + *host.run.not_ideal_reason);
  if (host.final_round.match_round > 0 && host.final_round.matched_perfectly) {
    warnings.push_back(fmt::format("OS didn't match until try #{}", host.final_round.match_round + 1));
  }
  j["warnings"] = std::move(warnings);
  return j;
}

std::string json_host_line(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                           std::int64_t now_s) {
  return json_host(db, host, options, now_s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace stackprint::output
