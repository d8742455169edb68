#include "stackprint/output/shard_merge.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/output/json_output.hpp"

namespace stackprint::output {
namespace {

using json = nlohmann::ordered_json;

struct ParsedLine {
  std::uint32_t address = 0;
  std::uint32_t index = 0;
  std::uint32_t count = 0;
  std::uint64_t seed = 0;
  std::string scan_id;
};

// Why a line is not a host object of a sharded scan, or its shard fields.
std::optional<ParsedLine> parse_line(const json& object, std::string& why) {
  if (!object.is_object()) {
    why = "not a JSON object";
    return std::nullopt;
  }
  const auto version = object.find("schema_version");
  if (version == object.end() || !version->is_number_integer() || *version != k_json_schema_version) {
    why = "not a stackprint host object of schema_version " + std::to_string(k_json_schema_version);
    return std::nullopt;
  }
  const auto target = object.find("target");
  const auto address = target != object.end() && target->is_string() ? parse_ipv4_address(target->get<std::string>())
                                                                     : Expected<Ipv4Address>(fail("no target"));
  if (!address) {
    why = "no valid \"target\" address";
    return std::nullopt;
  }
  const auto shard = object.find("shard");
  if (shard == object.end() || !shard->is_object()) {
    why = "no \"shard\" member (was the scan run with --shard I/N?)";
    return std::nullopt;
  }
  const auto field = [&shard](const char* name) { return shard->find(name); };
  if (field("index") == shard->end() || !field("index")->is_number_unsigned() || field("count") == shard->end() ||
      !field("count")->is_number_unsigned() || field("seed") == shard->end() || !field("seed")->is_number_unsigned() ||
      field("scan_id") == shard->end() || !field("scan_id")->is_string()) {
    why = "malformed \"shard\" member";
    return std::nullopt;
  }
  ParsedLine line;
  line.address = address->value;
  const auto index = field("index")->get<std::uint64_t>();
  const auto count = field("count")->get<std::uint64_t>();
  if (count == 0 || count > 0xffffffffULL || index == 0 || index > count) {
    why = "shard index outside 1..count";
    return std::nullopt;
  }
  line.index = static_cast<std::uint32_t>(index);
  line.count = static_cast<std::uint32_t>(count);
  line.seed = field("seed")->get<std::uint64_t>();
  line.scan_id = field("scan_id")->get<std::string>();
  return line;
}

std::string shard_text(std::uint32_t index, std::uint32_t count) {
  return std::to_string(index) + "/" + std::to_string(count);
}

} // namespace

void ShardMerger::add_file(const std::string& name, const std::vector<std::string>& lines) {
  std::size_t bad_lines = 0;
  std::string first_problem;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) { continue; }
    json object = json::parse(lines[i], nullptr, false);
    std::string why = "not valid JSON (truncated?)";
    std::optional<ParsedLine> parsed;
    if (!object.is_discarded()) { parsed = parse_line(object, why); }
    if (!parsed) {
      if (bad_lines++ == 0) {
        first_problem = name;
        first_problem += ":" + std::to_string(i + 1) + ": ";
        first_problem += why;
      }
      continue;
    }
    const bool known = std::any_of(m_identities.begin(), m_identities.end(),
                                   [&parsed](const Identity& id) { return id.scan_id == parsed->scan_id; });
    if (!known) { m_identities.push_back(Identity{parsed->scan_id, parsed->seed, parsed->count, name}); }
    m_indexes_seen.insert(parsed->index);
    MergedHost host;
    host.address = parsed->address;
    host.object = std::move(object);
    host.file = name;
    m_merge.hosts.push_back(std::move(host));
  }
  if (bad_lines > 0) {
    ++m_merge.bad_files;
    m_merge.problems.push_back(first_problem + " (" + std::to_string(bad_lines) + " bad line" +
                               (bad_lines == 1 ? "" : "s") + " skipped)");
  } else if (lines.empty() || std::all_of(lines.begin(), lines.end(), [](const auto& l) { return l.empty(); })) {
    m_merge.problems.push_back(name + ": no host (an empty shard output)");
  }
}

ShardMerge ShardMerger::finish() && {
  std::stable_sort(m_merge.hosts.begin(), m_merge.hosts.end(),
                   [](const MergedHost& a, const MergedHost& b) { return a.address < b.address; });
  for (std::size_t i = 1; i < m_identities.size(); ++i) {
    const Identity& first = m_identities.front();
    const Identity& other = m_identities[i];
    m_merge.problems.push_back("shards of different scans: " + first.file + " has scan " + first.scan_id + " (seed " +
                               std::to_string(first.seed) + ", " + std::to_string(first.count) + " shards), " +
                               other.file + " has scan " + other.scan_id + " (seed " + std::to_string(other.seed) +
                               ", " + std::to_string(other.count) + " shards)");
  }
  // An address in two shards, or twice in the outputs.
  for (std::size_t i = 1; i < m_merge.hosts.size(); ++i) {
    const MergedHost& a = m_merge.hosts[i - 1];
    const MergedHost& b = m_merge.hosts[i];
    if (a.address != b.address) { continue; }
    const auto shard_of = [](const MergedHost& h) {
      const auto& s = h.object["shard"];
      return shard_text(s["index"].get<std::uint32_t>(), s["count"].get<std::uint32_t>());
    };
    m_merge.problems.push_back("overlap: " + to_string(Ipv4Address{a.address}) + " is in shard " + shard_of(a) + " (" +
                               a.file + ") and shard " + shard_of(b) + " (" + b.file + ")");
  }
  if (m_identities.size() == 1) {
    const std::uint32_t count = m_identities.front().count;
    std::string missing;
    std::size_t missing_count = 0;
    for (std::uint32_t index = 1; index <= count && missing_count < 20; ++index) {
      if (m_indexes_seen.count(index) != 0) { continue; }
      missing += (missing.empty() ? "" : ", ") + std::to_string(index);
      ++missing_count;
    }
    if (!missing.empty()) {
      m_merge.problems.push_back("gap: no host from shard" + std::string(missing_count == 1 ? " " : "s ") + missing +
                                 (missing_count >= 20 ? ", ..." : "") + " of " + std::to_string(count) +
                                 " (a missing output, or a shard without hosts)");
    }
  }
  return std::move(m_merge);
}

} // namespace stackprint::output
