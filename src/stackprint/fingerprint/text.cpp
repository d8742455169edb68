#include "stackprint/fingerprint/text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace stackprint::fingerprint {
namespace {

constexpr std::array<std::string_view, 13> k_test_order = {"SEQ", "OPS", "WIN", "ECN", "T1", "T2", "T3",
                                                           "T4",  "T5",  "T6",  "T7",  "U1", "IE"};

bool is_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_value_char(char c) { return c > ' ' && c < 0x7F && c != '%' && c != '(' && c != ')' && c != '='; }

// Shows untrusted text in an error message: printable ASCII as is, the rest as \xNN, at most
// `limit` characters of input.
std::string quoted(std::string_view text, std::size_t limit = 40) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      out += static_cast<char>(byte);
    } else {
      out += fmt::format("\\x{:02X}", byte);
    }
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A stretch of test text and the input line each of its characters came from.
struct Segment {
  std::size_t offset; // in the joined stream
  int line;           // 1-based input line
};

class TestStreamParser {
public:
  TestStreamParser(std::string_view stream, std::vector<Segment> segments)
      : m_stream(stream), m_segments(std::move(segments)) {}

  // Appends every test of the stream to `out`.
  Expected<void> parse_into(std::vector<std::pair<TestLine, int>>& out) {
    while (m_pos < m_stream.size()) {
      const std::size_t start = m_pos;
      std::size_t name_end = start;
      while (name_end < m_stream.size() && is_name_char(m_stream[name_end])) ++name_end;
      const std::string_view name = m_stream.substr(start, name_end - start);
      if (name_end >= m_stream.size() || m_stream[name_end] != '(') {
        if (name.empty()) return error_at(start, "expected a test name, found " + quoted(m_stream.substr(start)));
        return error_at(start, "missing '(' after test name " + quoted(name));
      }
      if (!is_known_test_name(name)) return error_at(start, "unknown test " + quoted(name));
      const std::size_t body_start = name_end + 1;
      const std::size_t close = m_stream.find(')', body_start);
      // A '(' before the ')' means the ')' belongs to a later test.
      const std::size_t next_open = m_stream.find('(', body_start);
      if (close == std::string_view::npos || (next_open != std::string_view::npos && next_open < close)) {
        return error_at(start, "missing ')' in test " + quoted(m_stream.substr(start)));
      }
      TestLine test{std::string(name), {}};
      auto body = parse_body(m_stream.substr(body_start, close - body_start), body_start, test);
      if (!body) return tl::unexpected(body.error());
      out.emplace_back(std::move(test), line_of(start));
      m_pos = close + 1;
    }
    return {};
  }

private:
  Expected<void> parse_body(std::string_view body, std::size_t body_offset, TestLine& test) {
    if (body.empty()) return {};
    std::set<std::string_view> seen; // a set keeps huge hostile bodies linearithmic
    std::size_t pos = 0;
    while (true) {
      const std::size_t end = std::min(body.find('%', pos), body.size());
      const std::string_view pair = body.substr(pos, end - pos);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return error_at(body_offset + pos, "missing '=' in " + quoted(pair) + " of test " + test.name);
      }
      const std::string_view attr = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      if (attr.empty()) return error_at(body_offset + pos, "empty attribute name in test " + test.name);
      for (const char c : attr) {
        if (!is_name_char(c)) {
          return error_at(body_offset + pos, "bad attribute name " + quoted(attr) + " in test " + test.name);
        }
      }
      for (const char c : value) {
        if (!is_value_char(c)) {
          return error_at(body_offset + pos,
                          "bad character in value " + quoted(value) + " of " + test.name + "." + std::string(attr));
        }
      }
      if (!seen.insert(attr).second) {
        return error_at(body_offset + pos, "attribute " + std::string(attr) + " repeated in test " + test.name);
      }
      test.attributes.push_back(Attribute{std::string(attr), std::string(value)});
      if (end == body.size()) break;
      pos = end + 1;
    }
    return {};
  }

  [[nodiscard]] int line_of(std::size_t offset) const {
    // Segments are sorted by offset: the last one starting at or before `offset` holds it.
    const auto it = std::upper_bound(m_segments.begin(), m_segments.end(), offset,
                                     [](std::size_t o, const Segment& s) { return o < s.offset; });
    if (it == m_segments.begin()) return m_segments.empty() ? 0 : m_segments.front().line;
    return std::prev(it)->line;
  }

  [[nodiscard]] tl::unexpected<Error> error_at(std::size_t offset, const std::string& what) const {
    return fail("line " + std::to_string(line_of(offset)) + ": " + what);
  }

  std::string_view m_stream;
  std::vector<Segment> m_segments;
  std::size_t m_pos = 0;
};

// Checks the byte set of one trimmed line before any structural parsing, so later errors can
// assume printable text.
Expected<void> check_bytes(std::string_view line, int line_no) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if (byte <= 0x20 || byte >= 0x7F) {
      return fail(fmt::format("line {}: unexpected byte 0x{:02X} at column {}", line_no, byte, i + 1));
    }
  }
  return {};
}

std::vector<std::string> attribute_names(const TestLine& t) {
  std::vector<std::string> names;
  names.reserve(t.attributes.size());
  for (const Attribute& a : t.attributes) names.push_back(a.name);
  return names;
}

} // namespace

bool is_known_test_name(std::string_view name) {
  return name == "SCAN" || std::find(k_test_order.begin(), k_test_order.end(), name) != k_test_order.end();
}

int nmap_test_order(std::string_view name) {
  const auto it = std::find(k_test_order.begin(), k_test_order.end(), name);
  return static_cast<int>(it - k_test_order.begin());
}

std::string format_test_line(const TestLine& test) {
  std::string out = test.name;
  out += '(';
  for (std::size_t i = 0; i < test.attributes.size(); ++i) {
    if (i != 0) out += '%';
    out += test.attributes[i].name;
    out += '=';
    out += test.attributes[i].value;
  }
  out += ')';
  return out;
}

std::string format_plain(const Fingerprint& fp) {
  std::string out;
  if (fp.scan) out += format_test_line(*fp.scan) + '\n';
  for (const TestLine& t : fp.tests) out += format_test_line(t) + '\n';
  return out;
}

std::string format_wrapped(const Fingerprint& fp) {
  std::string joined;
  if (fp.scan) joined += format_test_line(*fp.scan);
  for (const TestLine& t : fp.tests) joined += format_test_line(t);
  std::string out;
  out.reserve(joined.size() + (joined.size() / k_wrap_content_width + 1) * 4);
  for (std::size_t pos = 0; pos < joined.size(); pos += k_wrap_content_width) {
    out += "OS:";
    out.append(joined, pos, k_wrap_content_width);
    out += '\n';
  }
  return out;
}

Expected<Fingerprint> parse_fingerprint(std::string_view text) {
  // Collect the non-blank, trimmed lines with their 1-based numbers.
  std::vector<std::pair<std::string_view, int>> lines;
  {
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t nl = std::min(text.find('\n', pos), text.size());
      ++line_no;
      const std::string_view line = trim(text.substr(pos, nl - pos));
      if (!line.empty()) lines.emplace_back(line, line_no);
      if (nl == text.size()) break;
      pos = nl + 1;
    }
  }
  if (!lines.empty() && lines.front().first == "TCP/IP fingerprint:") lines.erase(lines.begin());
  if (lines.empty()) return fail("line 1: no fingerprint test found");

  for (const auto& [line, line_no] : lines) {
    if (auto ok = check_bytes(line, line_no); !ok) return tl::unexpected(ok.error());
  }

  std::vector<std::pair<TestLine, int>> tests;
  const bool wrapped = lines.front().first.starts_with("OS:");
  if (wrapped) {
    std::string joined;
    std::vector<Segment> segments;
    for (const auto& [line, line_no] : lines) {
      if (!line.starts_with("OS:")) {
        return fail("line " + std::to_string(line_no) + ": missing 'OS:' prefix in a wrapped fingerprint");
      }
      segments.push_back(Segment{joined.size(), line_no});
      joined.append(line.substr(3));
    }
    TestStreamParser parser(joined, std::move(segments));
    if (auto ok = parser.parse_into(tests); !ok) return tl::unexpected(ok.error());
  } else {
    for (const auto& [line, line_no] : lines) {
      TestStreamParser parser(line, {Segment{0, line_no}});
      if (auto ok = parser.parse_into(tests); !ok) return tl::unexpected(ok.error());
    }
  }
  if (tests.empty()) return fail("line " + std::to_string(lines.front().second) + ": no fingerprint test found");

  Fingerprint fp;
  std::set<std::pair<std::string, std::vector<std::string>>> seen_tests;
  std::size_t first_test = 0;
  if (tests.front().first.name == "SCAN") {
    fp.scan = std::move(tests.front().first);
    first_test = 1;
  }
  for (std::size_t i = first_test; i < tests.size(); ++i) {
    auto& [t, line_no] = tests[i];
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (t.name == "SCAN") return fail(where + "SCAN must come once, before every other test");
    if (!seen_tests.insert(std::make_pair(t.name, attribute_names(t))).second) {
      return fail(where + "duplicate test " + t.name +
                  " with the same attribute names (Nmap's merge keeps only the first)");
    }
    fp.tests.push_back(std::move(t));
  }
  return fp;
}

} // namespace stackprint::fingerprint
