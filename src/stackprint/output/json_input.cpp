#include "stackprint/output/json_input.hpp"

#include <array>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/response_tests/ip_id.hpp"
#include "stackprint/response_tests/seq.hpp"

namespace stackprint::output {
namespace {

using json = nlohmann::ordered_json;

// Thrown inside this file only and turned into an Error by the public functions.
struct BadMember {
  std::string message;
};

[[noreturn]] void bad(const std::string& path, const std::string& why) { throw BadMember{"\"" + path + "\": " + why}; }

const json& member(const json& object, const std::string& path, const char* name) {
  if (!object.is_object()) bad(path, "not an object");
  const auto it = object.find(name);
  if (it == object.end()) bad(path.empty() ? name : path + "." + name, "missing");
  return *it;
}

std::string join(const std::string& path, const char* name) { return path.empty() ? name : path + "." + name; }

std::string string_of(const json& object, const std::string& path, const char* name) {
  const json& value = member(object, path, name);
  if (!value.is_string()) bad(join(path, name), "not a string");
  return value.get<std::string>();
}

std::optional<std::string> optional_string_of(const json& object, const std::string& path, const char* name) {
  const json& value = member(object, path, name);
  if (value.is_null()) return std::nullopt;
  if (!value.is_string()) bad(join(path, name), "not a string or null");
  return value.get<std::string>();
}

bool bool_of(const json& object, const std::string& path, const char* name) {
  const json& value = member(object, path, name);
  if (!value.is_boolean()) bad(join(path, name), "not true or false");
  return value.get<bool>();
}

// An integer in [low, high].
std::int64_t integer_in(const json& value, const std::string& path, std::int64_t low, std::int64_t high) {
  if (!value.is_number_integer()) bad(path, "not an integer");
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(high)) {
    bad(path, "out of range");
  }
  const auto v = value.get<std::int64_t>();
  if (v < low || v > high) bad(path, "out of range");
  return v;
}

std::int64_t integer_of(const json& object, const std::string& path, const char* name, std::int64_t low,
                        std::int64_t high) {
  return integer_in(member(object, path, name), join(path, name), low, high);
}

std::optional<std::int64_t> optional_integer_of(const json& object, const std::string& path, const char* name,
                                                std::int64_t low, std::int64_t high) {
  const json& value = member(object, path, name);
  if (value.is_null()) return std::nullopt;
  return integer_in(value, join(path, name), low, high);
}

const json& array_of(const json& object, const std::string& path, const char* name) {
  const json& value = member(object, path, name);
  if (!value.is_array()) bad(join(path, name), "not an array");
  return value;
}

template <typename T> std::vector<T> integers_of(const json& object, const std::string& path, const char* name) {
  std::vector<T> out;
  const json& values = array_of(object, path, name);
  for (std::size_t i = 0; i < values.size(); ++i) {
    out.push_back(static_cast<T>(integer_in(values[i], join(path, name) + "[" + std::to_string(i) + "]", 0,
                                            static_cast<std::int64_t>(std::numeric_limits<T>::max()))));
  }
  return out;
}

constexpr std::int64_t k_max_time = std::int64_t{1} << 40; // seconds; far past any real date

Protocol protocol_of(const std::string& text, const std::string& path) {
  if (text == "tcp") return Protocol::tcp;
  if (text == "udp") return Protocol::udp;
  bad(path, "not tcp or udp");
}

PortState port_state_of(const std::string& text, const std::string& path) {
  for (const PortState s : {PortState::open, PortState::closed, PortState::filtered, PortState::unfiltered,
                            PortState::open_filtered, PortState::closed_filtered}) {
    if (text == port_state_name(s)) return s;
  }
  bad(path, "not a port state");
}

std::array<std::uint8_t, 6> mac_of(const std::string& text, const std::string& path) {
  std::array<std::uint8_t, 6> mac{};
  if (text.size() != 17) bad(path, "not a MAC address");
  for (std::size_t i = 0; i < 6; ++i) {
    unsigned value = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const char c = text[i * 3 + k];
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0) bad(path, "not a MAC address");
      value = value * 16 + static_cast<unsigned>(digit);
    }
    if (i < 5 && text[i * 3 + 2] != ':') bad(path, "not a MAC address");
    mac[i] = static_cast<std::uint8_t>(value);
  }
  return mac;
}

scoring::Outcome outcome_of(const std::string& text, const std::string& path) {
  if (text == "success") return scoring::Outcome::success;
  if (text == "no_matches") return scoring::Outcome::no_matches;
  if (text == "too_many_matches") return scoring::Outcome::too_many_matches;
  bad(path, "not an outcome");
}

response_tests::IpIdClass ip_id_class_of(const std::string& words, const std::string& path) {
  using response_tests::IpIdClass;
  for (const IpIdClass c :
       {IpIdClass::unknown, IpIdClass::zero, IpIdClass::constant, IpIdClass::incremental, IpIdClass::incremental_by_2,
        IpIdClass::broken_incremental, IpIdClass::random_positive, IpIdClass::random}) {
    if (words == response_tests::ip_id_class_words(c)) return c;
  }
  bad(path, "not an IP ID class");
}

response_tests::TsSeqClass ts_class_of(const std::string& words, const std::string& path) {
  using response_tests::TsSeqClass;
  for (const TsSeqClass c : {TsSeqClass::unknown, TsSeqClass::zero, TsSeqClass::unsupported, TsSeqClass::hz2,
                             TsSeqClass::hz100, TsSeqClass::hz1000, TsSeqClass::other}) {
    if (words == response_tests::ts_class_words(c)) return c;
  }
  bad(path, "not a TCP timestamp class");
}

std::vector<PortLine> ports_of(const json& object) {
  std::vector<PortLine> ports;
  const json& list = array_of(object, "", "ports");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "ports[" + std::to_string(i) + "]";
    PortLine p;
    p.protocol = protocol_of(string_of(list[i], path, "protocol"), path + ".protocol");
    p.port = static_cast<std::uint16_t>(integer_of(list[i], path, "port", 0, 65535));
    p.state = port_state_of(string_of(list[i], path, "state"), path + ".state");
    p.service = string_of(list[i], path, "service");
    p.reason = string_of(list[i], path, "reason");
    if (const auto ttl = optional_integer_of(list[i], path, "reason_ttl", 0, 255))
      p.reason_ttl = static_cast<int>(*ttl);
    ports.push_back(std::move(p));
  }
  return ports;
}

ShardLabel shard_of(const json& shard) {
  ShardLabel label;
  label.count = static_cast<std::uint32_t>(integer_of(shard, "shard", "count", 1, 0xffffffffLL));
  label.index = static_cast<std::uint32_t>(integer_of(shard, "shard", "index", 1, label.count));
  const json& seed = member(shard, "shard", "seed");
  if (!seed.is_number_unsigned()) bad("shard.seed", "not an unsigned integer");
  label.seed = seed.get<std::uint64_t>();
  label.scan_id = string_of(shard, "shard", "scan_id");
  // Run-level facts; absent in outputs of older versions (then empty).
  if (shard.contains("args")) label.args = string_of(shard, "shard", "args");
  if (shard.contains("start")) label.start_s = integer_of(shard, "shard", "start", 0, k_max_time);
  if (shard.contains("scaninfo")) {
    const json& list = array_of(shard, "shard", "scaninfo");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "shard.scaninfo[" + std::to_string(i) + "]";
      ScanInfo s;
      s.type = string_of(list[i], path, "type");
      s.protocol = protocol_of(string_of(list[i], path, "protocol"), path + ".protocol");
      s.services = string_of(list[i], path, "services");
      s.count = static_cast<std::size_t>(integer_of(list[i], path, "numservices", 0, 131072));
      label.scaninfo.push_back(std::move(s));
    }
  }
  return label;
}

} // namespace

JsonHostReader::JsonHostReader(const database::OsDb& db) : m_db(&db) {
  for (std::size_t i = 0; i < db.references().size(); ++i) m_reference_by_line.emplace(db.references()[i].line, i);
}

Expected<JsonHost> JsonHostReader::read(const json& object) const {
  try {
    JsonHost out;
    HostReport& host = out.report;
    const std::string target = string_of(object, "", "target");
    const auto address = parse_ipv4_address(target);
    if (!address) bad("target", "not an IPv4 address");
    host.address = address->value;
    const std::string state = string_of(object, "", "state");
    if (state != "up" && state != "down") bad("state", "not up or down");
    host.up = state == "up";
    host.status_reason = object.contains("status_reason") ? string_of(object, "", "status_reason")
                                                          : (host.up ? "user-set" : "no-response");
    if (object.contains("latency_s")) {
      const json& latency = object["latency_s"];
      if (latency.is_number() && latency.get<double>() >= 0.0) {
        host.latency_s = latency.get<double>();
      } else if (!latency.is_null()) {
        bad("latency_s", "not a number >= 0 or null");
      }
    }
    if (const auto mac = optional_string_of(object, "", "mac")) host.mac = mac_of(*mac, "mac");
    host.start_s = integer_of(object, "", "start", 0, k_max_time);
    host.end_s = integer_of(object, "", "end", 0, k_max_time);
    out.now_s = host.end_s;
    host.ports = ports_of(object);

    const json& os = member(object, "", "os_detection");
    if (os.is_null()) {
      host.os_detection = false;
      return out;
    }
    host.os_detection = true;
    const std::string p = "os_detection";
    const auto rounds = static_cast<std::size_t>(integer_of(os, p, "rounds", 0, 1000));
    const auto match_round = static_cast<std::size_t>(integer_of(os, p, "match_round", 1, 1001)) - 1;
    const auto seq_round = static_cast<std::size_t>(integer_of(os, p, "seq_round", 1, 1001)) - 1;
    host.run.rounds.resize(rounds);
    host.final_round.match_round = match_round;
    host.final_round.seq_round = seq_round;
    host.final_round.matched_perfectly = bool_of(os, p, "perfect");
    host.run.not_ideal_reason = optional_string_of(os, p, "not_ideal_reason");
    host.results_unreliable = bool_of(os, p, "unreliable");

    auto merged = fingerprint::parse_fingerprint(string_of(os, p, "fingerprint"));
    if (!merged) bad(p + ".fingerprint", merged.error().message);
    host.run.merged = std::move(*merged);
    if (host.run.merged.scan) {
      auto scan = fingerprint::parse_scan_line(*host.run.merged.scan);
      if (!scan) bad(p + ".fingerprint", "SCAN line: " + scan.error().message);
      host.run.scan = std::move(*scan);
    }

    fingerprint::Fingerprint tests;
    const json& test_list = array_of(os, p, "tests");
    for (std::size_t i = 0; i < test_list.size(); ++i) {
      const std::string path = p + ".tests[" + std::to_string(i) + "]";
      fingerprint::TestLine line;
      line.name = string_of(test_list[i], path, "test");
      const json& values = member(test_list[i], path, "values");
      if (!values.is_object()) bad(path + ".values", "not an object");
      for (const auto& [name, value] : values.items()) {
        if (!value.is_string()) {
          std::string where = path;
          where += ".values.";
          where += name;
          bad(where, "not a string");
        }
        line.attributes.push_back({name, value.get<std::string>()});
      }
      tests.tests.push_back(std::move(line));
    }

    scoring::MatchResult result;
    result.outcome = outcome_of(string_of(os, p, "outcome"), p + ".outcome");
    const json& match_list = array_of(os, p, "matches");
    bool perfect_run = true;
    for (std::size_t i = 0; i < match_list.size(); ++i) {
      const std::string path = p + ".matches[" + std::to_string(i) + "]";
      const auto line = static_cast<int>(integer_of(match_list[i], path, "line", 1, std::numeric_limits<int>::max()));
      const auto found = m_reference_by_line.find(line);
      if (found == m_reference_by_line.end()) {
        bad(path + ".line",
            "no reference at line " + std::to_string(line) + " of the OS database (not the one the scan used?)");
      }
      const std::string name = string_of(match_list[i], path, "name");
      if (name != m_db->references()[found->second].name) {
        bad(path + ".name", "the OS database names line " + std::to_string(line) + " \"" +
                                m_db->references()[found->second].name + "\" (not the one the scan used?)");
      }
      const json& accuracy = member(match_list[i], path, "accuracy");
      if (!accuracy.is_number() || !(accuracy.get<double>() >= 0.0 && accuracy.get<double>() <= 1.0)) {
        bad(path + ".accuracy", "not a number in 0..1");
      }
      result.matches.push_back({found->second, accuracy.get<double>()});
      perfect_run = perfect_run && accuracy.get<double>() >= 1.0;
      if (perfect_run) ++result.perfect_matches;
    }
    host.round_matches.resize(rounds);
    if (match_round < rounds) {
      host.run.rounds[match_round].fingerprint = std::move(tests);
      host.round_matches[match_round] = std::move(result);
    }

    if (os.contains("missing_tests")) {
      const json& missing = os["missing_tests"];
      const std::string path = p + ".missing_tests";
      const json& filtered = array_of(missing, path, "filtered");
      for (std::size_t i = 0; i < filtered.size(); ++i) {
        if (!filtered[i].is_string()) bad(path + ".filtered[" + std::to_string(i) + "]", "not a string");
        host.run.silence.filtered_tests.push_back(filtered[i].get<std::string>());
      }
      host.run.silence.evidence = optional_string_of(missing, path, "evidence").value_or("");
      host.partial_match = !host.run.silence.filtered() || bool_of(missing, path, "matched_without_filtered");
    }

    const json& seq = member(object, "", "sequence");
    response_tests::SeqLineResult seq_line;
    seq_line.seq.responses = static_cast<std::size_t>(integer_of(seq, "sequence", "responses", 0, 1000));
    seq_line.seq.isn_stats =
        response_tests::IsnStats{static_cast<std::uint32_t>(integer_of(seq, "sequence", "difficulty_index", 0,
                                                                       std::numeric_limits<std::uint32_t>::max())),
                                 0, 0};
    seq_line.ti = ip_id_class_of(string_of(seq, "sequence", "ip_id_class"), "sequence.ip_id_class");
    seq_line.seq.ts_class = ts_class_of(string_of(seq, "sequence", "ts_class"), "sequence.ts_class");
    seq_line.seq.isns = integers_of<std::uint32_t>(seq, "sequence", "isns");
    seq_line.seq.ip_ids = integers_of<std::uint16_t>(seq, "sequence", "ip_ids");
    seq_line.seq.tsvals = integers_of<std::uint32_t>(seq, "sequence", "tsvals");
    const auto uptime = optional_integer_of(seq, "sequence", "uptime_s", -k_max_time, k_max_time);
    seq_line.seq.lastboot_s = optional_integer_of(seq, "sequence", "lastboot", -k_max_time, k_max_time);
    if (uptime && seq_line.seq.lastboot_s) out.now_s = *seq_line.seq.lastboot_s + *uptime;
    if (seq_round < rounds) host.run.rounds[seq_round].seq = std::move(seq_line);

    if (const auto hops = optional_integer_of(member(object, "", "distance"), "distance", "hops", -255, 255)) {
      host.run.distance = static_cast<int>(*hops);
    }
    return out;
  } catch (const BadMember& e) { return fail(e.message); } catch (const nlohmann::json::exception& e) {
    return fail(std::string("malformed host object: ") + e.what());
  }
}

Expected<ShardLabel> shard_from_json(const json& shard) {
  try {
    return shard_of(shard);
  } catch (const BadMember& e) { return fail(e.message); } catch (const nlohmann::json::exception& e) {
    return fail(std::string("malformed \"shard\" member: ") + e.what());
  }
}

} // namespace stackprint::output
