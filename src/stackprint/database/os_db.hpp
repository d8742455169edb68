#pragma once
// nmap-os-db, parsed (Nmap 7.93 grammar, facts section 2) into precompiled reference fingerprints.
//
// Layout for fast matching: MatchPoints defines the tests and the weighted (test, attribute) pairs,
// called slots, at fixed indexes. Every distinct expression text is compiled once (`Expression`);
// every distinct (slot, expression) pair gets a dense id (memo index for one subject); every distinct
// test line (same test, same body) is interned once, so the 5,678 references share about 15,000 lines.
// A reference is then one line id per test.
//
// The parser is pure: it takes the text and the file name (used only in error messages). Resolving
// the default path, --db and STACKPRINT_DB is the CLI's job.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/expression.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::database {

// The path Debian's nmap-common installs the database at.
inline constexpr std::string_view k_default_db_path = "/usr/share/nmap/nmap-os-db";

// One `CPE` line. Only the first word is the URI (as in Nmap); a trailing `auto` word marks CPEs
// generated from the Class line and has no effect on matching or output.
struct Cpe {
  std::string uri;
  bool auto_generated = false;
  friend bool operator==(const Cpe&, const Cpe&) = default;
};

// One `Class vendor | family | generation | device type` line with the CPE lines that follow it.
struct OsClass {
  std::string vendor;
  std::string family;
  std::optional<std::string> generation; // an empty generation is absent, as in Nmap
  std::string device_type;
  std::vector<Cpe> cpes;
  friend bool operator==(const OsClass&, const OsClass&) = default;
};

// A reference entry (`Fingerprint <name>` block).
struct Reference {
  std::string name;
  int line = 0; // 1-based line of the Fingerprint line (Nmap XML osmatch line=)
  std::vector<OsClass> classes;
};

// A weighted (test, attribute) pair. Attributes a reference may carry without a MatchPoints weight
// (`R` in SEQ/OPS/WIN, meaning "no response") get a slot of weight 0, which never changes a score.
struct Slot {
  std::uint16_t test = 0;
  std::string attribute;
  std::uint32_t weight = 0;
};

// A test from the MatchPoints block (SEQ, OPS, ... IE), in MatchPoints order.
struct TestDef {
  std::string name;
  std::vector<std::uint16_t> slots; // its slots, MatchPoints order first, then weight-0 extras
};

// A distinct (slot, expression) pair; `expression` indexes OsDb::expression().
struct SlotExpression {
  std::uint16_t slot = 0;
  std::uint32_t expression = 0;
};

// One attribute of an interned test line, with its slot and weight copied in for a tight match loop.
struct LineAttribute {
  std::uint32_t slot_expression = 0;
  std::uint16_t slot = 0;
  std::uint16_t weight = 0;
};

// An interned test line: attributes in file order.
struct CompiledLine {
  std::uint16_t test = 0;
  std::uint32_t first = 0; // index of its first attribute in OsDb::line_attributes storage
  std::uint16_t count = 0;
  std::uint32_t max_weight = 0; // sum of the weights of its attributes (at most 65535)
};

struct DbStats {
  std::size_t fingerprints = 0;
  std::size_t distinct_names = 0;
  std::size_t classes = 0;
  std::size_t cpes = 0;
  std::size_t auto_cpes = 0;
  std::size_t test_lines = 0; // test lines inside Fingerprint blocks
  std::size_t distinct_test_lines = 0;
  std::size_t distinct_expressions = 0;
  std::size_t slot_expressions = 0;
  std::size_t lines = 0;
  std::size_t comment_lines = 0;
};

class OsDb {
public:
  static constexpr std::uint32_t k_no_line = 0xFFFFFFFFU;

  [[nodiscard]] const std::vector<Reference>& references() const { return m_references; }
  [[nodiscard]] const std::vector<TestDef>& tests() const { return m_tests; }
  [[nodiscard]] const std::vector<Slot>& slots() const { return m_slots; }
  [[nodiscard]] const DbStats& stats() const { return m_stats; }

  [[nodiscard]] std::optional<std::uint16_t> find_test(std::string_view name) const;
  [[nodiscard]] std::optional<std::uint16_t> find_slot(std::uint16_t test, std::string_view attribute) const;

  // Line id of reference `ref`'s test `test`, or k_no_line when the reference lacks that test.
  [[nodiscard]] std::uint32_t line_of(std::size_t ref, std::uint16_t test) const {
    return m_reference_lines[ref * m_tests.size() + test];
  }
  [[nodiscard]] std::span<const std::uint32_t> lines_of(std::size_t ref) const {
    return {m_reference_lines.data() + ref * m_tests.size(), m_tests.size()};
  }
  [[nodiscard]] std::size_t line_count() const { return m_lines.size(); }
  [[nodiscard]] const CompiledLine& line(std::uint32_t id) const { return m_lines[id]; }
  [[nodiscard]] std::span<const LineAttribute> line_attributes(std::uint32_t id) const {
    const CompiledLine& l = m_lines[id];
    return {m_line_attributes.data() + l.first, l.count};
  }
  [[nodiscard]] std::size_t slot_expression_count() const { return m_slot_expressions.size(); }
  [[nodiscard]] const SlotExpression& slot_expression(std::uint32_t id) const { return m_slot_expressions[id]; }
  [[nodiscard]] std::size_t expression_count() const { return m_expressions.size(); }
  [[nodiscard]] const Expression& expression(std::uint32_t id) const { return m_expressions[id]; }

  // The reference's test line as text values (file order), e.g. for display or to build subjects.
  [[nodiscard]] fingerprint::TestLine reference_test_line(std::size_t ref, std::uint16_t test) const;

private:
  friend class OsDbBuilder;
  std::vector<Reference> m_references;
  std::vector<TestDef> m_tests;
  std::vector<Slot> m_slots;
  std::vector<Expression> m_expressions;
  std::vector<SlotExpression> m_slot_expressions;
  std::vector<CompiledLine> m_lines;
  std::vector<LineAttribute> m_line_attributes;
  std::vector<std::uint32_t> m_reference_lines; // references x tests
  DbStats m_stats;
};

// Parses a whole nmap-os-db text. Errors read `file:line: what is wrong` (one line). Stricter than
// Nmap, which skips many malformed lines with a warning: any malformed line rejects the database.
[[nodiscard]] Expected<OsDb> parse_os_db(std::string_view text, std::string_view file_name);

} // namespace stackprint::database
