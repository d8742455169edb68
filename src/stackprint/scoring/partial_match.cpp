#include "stackprint/scoring/partial_match.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace stackprint::scoring {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// "T3" -> 3 for T1..T7, 0 otherwise.
int t_number(std::string_view name) {
  if (name.size() == 2 && name[0] == 'T' && name[1] >= '1' && name[1] <= '7') return name[1] - '0';
  return 0;
}

} // namespace

const std::vector<std::string_view>& nmap_test_names() {
  static const std::vector<std::string_view> names{"SEQ", "OPS", "WIN", "ECN", "T1", "T2", "T3",
                                                   "T4",  "T5",  "T6",  "T7",  "U1", "IE"};
  return names;
}

fingerprint::Fingerprint without_tests(const fingerprint::Fingerprint& subject, const std::vector<std::string>& tests) {
  fingerprint::Fingerprint out;
  out.scan = subject.scan;
  for (const auto& line : subject.tests) {
    if (!listed(tests, line.name)) out.tests.push_back(line);
  }
  return out;
}

MatchResult match_present_tests(Matcher& matcher, const fingerprint::Fingerprint& subject,
                                const std::vector<std::string>& filtered) {
  if (filtered.empty()) return matcher.match(subject);
  return matcher.match(without_tests(subject, filtered));
}

std::vector<std::string> absent_tests(const fingerprint::Fingerprint& subject) {
  std::vector<std::string> out;
  for (const std::string_view name : nmap_test_names()) {
    if (subject.find(name) == nullptr) out.emplace_back(name);
  }
  return out;
}

std::string join_test_names(const std::vector<std::string>& tests) {
  std::string out;
  for (const auto& name : tests) {
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

Expected<std::vector<std::string>> parse_test_list(std::string_view text) {
  std::vector<bool> wanted(nmap_test_names().size(), false);
  const auto index_of = [](std::string_view name) -> std::optional<std::size_t> {
    const auto& names = nmap_test_names();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names.begin());
  };
  std::size_t pos = 0;
  bool any = false;
  while (pos <= text.size()) {
    std::size_t end = text.find_first_of(", ", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    any = true;
    if (const auto dash = item.find('-'); dash != std::string_view::npos) {
      const int first = t_number(item.substr(0, dash));
      const int last = t_number(item.substr(dash + 1));
      if (first == 0 || last == 0 || last < first) {
        return fail(fmt::format("'{}': a range must be of T lines, e.g. T2-T7", item));
      }
      for (int t = first; t <= last; ++t) wanted[*index_of(fmt::format("T{}", t))] = true;
      continue;
    }
    const auto index = index_of(item);
    if (!index) return fail(fmt::format("'{}' is not one of Nmap's tests (SEQ OPS WIN ECN T1-T7 U1 IE)", item));
    wanted[*index] = true;
  }
  if (!any) return fail("empty list of tests");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i]) out.emplace_back(nmap_test_names()[i]);
  }
  return out;
}

} // namespace stackprint::scoring
