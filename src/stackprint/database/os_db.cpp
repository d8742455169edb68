#include "stackprint/database/os_db.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"

namespace stackprint::database {

namespace {

// Nmap reads lines with fgets into a 2048-byte buffer; longer lines are split in two by it. We refuse
// them instead, since no valid entry is that long.
constexpr std::size_t k_max_line_length = 2047;
// Weights are small in practice (15..100). The caps keep every line's sum within 16 bits, which the
// matcher's packed per-line memo relies on.
constexpr std::uint32_t k_max_weight = 1000;
constexpr std::uint32_t k_max_test_weight = 65535;
// Tests and slots are indexed with 8 and 16 bits in the matcher.
constexpr std::size_t k_max_tests = 255;
constexpr std::size_t k_max_slots = 60000;

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

// A test line as read, before MatchPoints is known.
struct RawTest {
  std::string_view name;
  std::string_view body;
  int line = 0;
};

struct RawReference {
  std::size_t first_test = 0;
  std::size_t test_count = 0;
};

struct RawAttribute {
  std::string_view name;
  std::string_view value;
};

// Splits `a=b%c=d` into pairs. Empty body: no attributes (the DB has `OPS()`).
std::optional<std::string> split_attributes(std::string_view body, std::vector<RawAttribute>& out) {
  out.clear();
  if (body.empty()) return std::nullopt;
  std::size_t p = 0;
  while (true) {
    const std::size_t pct = body.find('%', p);
    const std::string_view pair = body.substr(p, pct == std::string_view::npos ? std::string_view::npos : pct - p);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return "attribute '" + std::string(pair) + "' has no '='";
    const std::string_view name = pair.substr(0, eq);
    if (name.empty()) return std::string("attribute with an empty name");
    for (const char c : name) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
        return "bad attribute name '" + std::string(name) + "'";
      }
    }
    for (const RawAttribute& seen : out) {
      if (seen.name == name) return "attribute " + std::string(name) + " given twice";
    }
    out.push_back(RawAttribute{name, pair.substr(eq + 1)});
    if (pct == std::string_view::npos) return std::nullopt;
    p = pct + 1;
  }
}

struct PairHash {
  std::size_t operator()(std::uint64_t v) const { return std::hash<std::uint64_t>{}(v * 0x9E3779B97F4A7C15ULL); }
};

} // namespace

// Builds an OsDb; a friend so the parser can fill the private tables directly.
class OsDbBuilder {
public:
  OsDbBuilder(std::string_view text, std::string_view file_name) : m_text(text), m_file(file_name) {}

  Expected<OsDb> run() {
    if (auto err = read_blocks()) return fail(*err);
    if (auto err = compile()) return fail(*err);
    return std::move(m_db);
  }

private:
  [[nodiscard]] std::string at(int line, std::string_view what) const {
    return fmt::format("{}:{}: {}", m_file, line, what);
  }

  // Pass 1: lines and blocks. Keeps test lines raw, because MatchPoints may come anywhere.
  std::optional<std::string> read_blocks() {
    enum class State { outside, match_points, fingerprint };
    State state = State::outside;
    std::size_t pos = 0;
    int line_no = 0;
    std::unordered_set<std::string_view> tests_in_block;
    while (pos < m_text.size()) {
      const std::size_t nl = m_text.find('\n', pos);
      std::string_view line = m_text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? m_text.size() : nl + 1;
      ++line_no;
      // DIVERGENCE(nmap): a CRLF line end is accepted as LF (Nmap would keep the '\r' in values).
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > k_max_line_length) return at(line_no, "line longer than 2047 characters");
      if (!line.empty() && line.front() == '#') {
        ++m_db.m_stats.comment_lines;
        continue;
      }
      for (const char c : line) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) return at(line_no, fmt::format("binary data (byte 0x{:02X})", u));
      }
      if (line.empty()) {
        state = State::outside;
        continue;
      }
      if (trim(line).empty()) return at(line_no, "line of white space only (an empty line ends a block)");

      const bool begins_fingerprint =
          state == State::outside ? starts_with_nocase(line, "FingerPrint") : line.starts_with("FingerPrint ");
      if (begins_fingerprint) {
        if (auto err = begin_fingerprint(line, line_no)) return err;
        state = State::fingerprint;
        tests_in_block.clear();
        continue;
      }
      if (state == State::outside) {
        if (starts_with_nocase(line, "MatchPoints")) {
          if (m_match_points_line != 0) {
            return at(line_no, fmt::format("second MatchPoints block (the first is on line {})", m_match_points_line));
          }
          m_match_points_line = line_no;
          state = State::match_points;
          tests_in_block.clear();
          continue;
        }
        return at(line_no, "expected 'Fingerprint <name>' or 'MatchPoints' to begin a block");
      }
      if (starts_with_nocase(line, "Fingerprint") || starts_with_nocase(line, "MatchPoints")) {
        return at(line_no, "new block without an empty line ending the previous one");
      }
      if (line.starts_with("Class ")) {
        if (state != State::fingerprint) return at(line_no, "Class line in the MatchPoints block");
        if (auto err = class_line(line, line_no)) return err;
        continue;
      }
      if (line.starts_with("CPE ")) {
        if (state != State::fingerprint) return at(line_no, "CPE line in the MatchPoints block");
        if (auto err = cpe_line(line, line_no)) return err;
        continue;
      }
      // Test line NAME(body).
      const std::size_t open = line.find('(');
      if (open == std::string_view::npos) return at(line_no, "expected a test line NAME(...)");
      const std::size_t close = line.find(')', open + 1);
      if (close == std::string_view::npos) return at(line_no, "test line without ')' (truncated?)");
      if (!trim(line.substr(close + 1)).empty()) return at(line_no, "text after ')' on a test line");
      const std::string_view name = line.substr(0, open);
      if (name.empty()) return at(line_no, "test line with an empty test name");
      for (const char c : name) {
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
          return at(line_no, "bad test name '" + std::string(name) + "'");
        }
      }
      if (!tests_in_block.insert(name).second) return at(line_no, "test " + std::string(name) + " given twice");
      const RawTest raw{name, line.substr(open + 1, close - open - 1), line_no};
      if (state == State::match_points) {
        m_match_points.push_back(raw);
      } else {
        m_raw_tests.push_back(raw);
        ++m_raw_refs.back().test_count;
      }
    }
    m_db.m_stats.lines = static_cast<std::size_t>(line_no);
    if (m_match_points_line == 0) return fmt::format("{}: no MatchPoints block", m_file);
    return std::nullopt;
  }

  std::optional<std::string> begin_fingerprint(std::string_view line, int line_no) {
    std::string_view rest = line.substr(11);
    if (!rest.empty() && !is_space(rest.front())) return at(line_no, "expected a space after 'Fingerprint'");
    // The name runs to the end of the line or a '#', trimmed.
    if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    rest = trim(rest);
    if (rest.empty()) return at(line_no, "Fingerprint with an empty name");
    Reference ref;
    ref.name = std::string(rest);
    ref.line = line_no;
    m_db.m_references.push_back(std::move(ref));
    m_raw_refs.push_back(RawReference{m_raw_tests.size(), 0});
    return std::nullopt;
  }

  std::optional<std::string> class_line(std::string_view line, int line_no) {
    std::string_view rest = line.substr(6);
    std::array<std::string_view, 3> fields;
    for (auto& field : fields) {
      const std::size_t bar = rest.find('|');
      if (bar == std::string_view::npos) return at(line_no, "Class line needs 'vendor | family | generation | type'");
      field = trim(rest.substr(0, bar));
      rest = rest.substr(bar + 1);
    }
    OsClass c;
    c.vendor = std::string(fields[0]);
    c.family = std::string(fields[1]);
    if (!fields[2].empty()) c.generation = std::string(fields[2]);
    c.device_type = std::string(trim(rest));
    if (c.vendor.empty()) return at(line_no, "Class line with an empty vendor");
    if (c.family.empty()) return at(line_no, "Class line with an empty OS family");
    if (c.device_type.empty()) return at(line_no, "Class line with an empty device type");
    m_db.m_references.back().classes.push_back(std::move(c));
    ++m_db.m_stats.classes;
    return std::nullopt;
  }

  std::optional<std::string> cpe_line(std::string_view line, int line_no) {
    auto& classes = m_db.m_references.back().classes;
    if (classes.empty()) return at(line_no, "CPE line before any Class line");
    std::string_view rest = trim(line.substr(4));
    std::size_t word_end = 0;
    while (word_end < rest.size() && !is_space(rest[word_end])) ++word_end;
    Cpe cpe;
    cpe.uri = std::string(rest.substr(0, word_end));
    if (cpe.uri.empty()) return at(line_no, "CPE line without a CPE");
    if (!cpe.uri.starts_with("cpe:/")) return at(line_no, "CPE '" + cpe.uri + "' does not start with 'cpe:/'");
    std::string_view flags = trim(rest.substr(word_end));
    while (!flags.empty()) {
      std::size_t e = 0;
      while (e < flags.size() && !is_space(flags[e])) ++e;
      const std::string_view flag = flags.substr(0, e);
      if (flag != "auto") return at(line_no, "unknown CPE flag '" + std::string(flag) + "'");
      cpe.auto_generated = true;
      flags = trim(flags.substr(e));
    }
    if (cpe.auto_generated) ++m_db.m_stats.auto_cpes;
    ++m_db.m_stats.cpes;
    classes.back().cpes.push_back(std::move(cpe));
    return std::nullopt;
  }

  // Pass 2: the MatchPoints schema, then every reference test line compiled and interned.
  std::optional<std::string> compile() {
    std::vector<RawAttribute> attrs;
    for (const RawTest& t : m_match_points) {
      TestDef def;
      def.name = std::string(t.name);
      const auto test_index = static_cast<std::uint16_t>(m_db.m_tests.size());
      std::uint32_t test_weight = 0;
      if (auto err = split_attributes(t.body, attrs)) return at(t.line, *err);
      for (const RawAttribute& a : attrs) {
        const auto parsed_weight = parse_decimal(a.value, 6, 999'999);
        if (!parsed_weight) {
          return at(t.line, fmt::format("MatchPoints weight of {}.{} must be a decimal number, got '{}'", t.name,
                                        a.name, a.value));
        }
        const auto weight = static_cast<std::uint32_t>(*parsed_weight);
        if (weight > k_max_weight) {
          return at(t.line, fmt::format("MatchPoints weight of {}.{} is too large ({})", t.name, a.name, weight));
        }
        if (m_db.m_slots.size() >= k_max_slots) return at(t.line, "too many MatchPoints attributes");
        def.slots.push_back(static_cast<std::uint16_t>(m_db.m_slots.size()));
        m_db.m_slots.push_back(Slot{test_index, std::string(a.name), weight});
        test_weight += weight;
      }
      if (test_weight > k_max_test_weight) {
        return at(t.line, fmt::format("MatchPoints weights of {} add up to more than {}", t.name, k_max_test_weight));
      }
      m_db.m_tests.push_back(std::move(def));
    }
    if (m_db.m_tests.empty()) return at(m_match_points_line, "empty MatchPoints block");
    if (m_db.m_tests.size() > k_max_tests) return at(m_match_points_line, "more than 255 tests in MatchPoints");

    const std::size_t num_tests = m_db.m_tests.size();
    m_db.m_reference_lines.assign(m_db.m_references.size() * num_tests, OsDb::k_no_line);
    std::vector<std::unordered_map<std::string_view, std::uint32_t>> line_ids(num_tests);
    std::unordered_map<std::string_view, std::uint32_t> expression_ids;
    std::unordered_map<std::uint64_t, std::uint32_t, PairHash> slot_expression_ids;
    expression_ids.reserve(8192);
    slot_expression_ids.reserve(20000);

    for (std::size_t r = 0; r < m_db.m_references.size(); ++r) {
      const RawReference& raw = m_raw_refs[r];
      for (std::size_t i = 0; i < raw.test_count; ++i) {
        const RawTest& t = m_raw_tests[raw.first_test + i];
        const auto test = m_db.find_test(t.name);
        if (!test) return at(t.line, "test " + std::string(t.name) + " has no MatchPoints entry");
        ++m_db.m_stats.test_lines;
        auto [it, inserted] = line_ids[*test].try_emplace(t.body, static_cast<std::uint32_t>(m_db.m_lines.size()));
        m_db.m_reference_lines[r * num_tests + *test] = it->second;
        if (!inserted) continue;

        if (auto err = split_attributes(t.body, attrs)) return at(t.line, *err);
        CompiledLine line;
        line.test = *test;
        line.first = static_cast<std::uint32_t>(m_db.m_line_attributes.size());
        line.count = static_cast<std::uint16_t>(attrs.size());
        for (const RawAttribute& a : attrs) {
          auto slot = m_db.find_slot(*test, a.name);
          if (!slot) {
            // `R=N` in tests whose MatchPoints has no R (SEQ, OPS, WIN) means "no response"; it never
            // meets a subject attribute in Nmap, so it gets a weight-0 slot.
            if (a.name != "R") {
              return at(t.line, fmt::format("attribute {}.{} has no MatchPoints entry", t.name, a.name));
            }
            if (m_db.m_slots.size() >= k_max_slots) return at(t.line, "too many distinct attributes");
            slot = static_cast<std::uint16_t>(m_db.m_slots.size());
            m_db.m_slots.push_back(Slot{*test, std::string(a.name), 0});
            m_db.m_tests[*test].slots.push_back(*slot);
          }
          if (auto err = check_expression(a.value)) return at(t.line, fmt::format("{}.{}: {}", t.name, a.name, *err));
          auto [eit, new_expression] =
              expression_ids.try_emplace(a.value, static_cast<std::uint32_t>(m_db.m_expressions.size()));
          if (new_expression) m_db.m_expressions.push_back(Expression::compile(a.value));
          const std::uint64_t key = (static_cast<std::uint64_t>(*slot) << 32U) | eit->second;
          auto [sit, new_pair] =
              slot_expression_ids.try_emplace(key, static_cast<std::uint32_t>(m_db.m_slot_expressions.size()));
          if (new_pair) m_db.m_slot_expressions.push_back(SlotExpression{*slot, eit->second});
          m_db.m_line_attributes.push_back(
              LineAttribute{sit->second, *slot, static_cast<std::uint16_t>(m_db.m_slots[*slot].weight)});
          line.max_weight += m_db.m_slots[*slot].weight;
        }
        m_db.m_lines.push_back(line);
      }
    }
    std::unordered_set<std::string_view> names;
    for (const Reference& ref : m_db.m_references) names.insert(ref.name);
    m_db.m_stats.fingerprints = m_db.m_references.size();
    m_db.m_stats.distinct_names = names.size();
    m_db.m_stats.distinct_test_lines = m_db.m_lines.size();
    m_db.m_stats.distinct_expressions = m_db.m_expressions.size();
    m_db.m_stats.slot_expressions = m_db.m_slot_expressions.size();
    return std::nullopt;
  }

  std::string_view m_text;
  std::string_view m_file;
  OsDb m_db;
  std::vector<RawTest> m_match_points;
  int m_match_points_line = 0;
  std::vector<RawTest> m_raw_tests;
  std::vector<RawReference> m_raw_refs;
};

std::optional<std::uint16_t> OsDb::find_test(std::string_view name) const {
  for (std::size_t i = 0; i < m_tests.size(); ++i) {
    if (m_tests[i].name == name) return static_cast<std::uint16_t>(i);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> OsDb::find_slot(std::uint16_t test, std::string_view attribute) const {
  if (test >= m_tests.size()) return std::nullopt;
  for (const std::uint16_t s : m_tests[test].slots) {
    if (m_slots[s].attribute == attribute) return s;
  }
  return std::nullopt;
}

fingerprint::TestLine OsDb::reference_test_line(std::size_t ref, std::uint16_t test) const {
  fingerprint::TestLine out;
  out.name = m_tests[test].name;
  const std::uint32_t id = line_of(ref, test);
  if (id == k_no_line) return out;
  for (const LineAttribute& a : line_attributes(id)) {
    const SlotExpression& pair = m_slot_expressions[a.slot_expression];
    out.attributes.push_back(
        fingerprint::Attribute{m_slots[pair.slot].attribute, m_expressions[pair.expression].text()});
  }
  return out;
}

Expected<OsDb> parse_os_db(std::string_view text, std::string_view file_name) {
  return OsDbBuilder(text, file_name).run();
}

} // namespace stackprint::database
