#include "stackprint/scoring/partial_match.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "stackprint/base/name_list.hpp"

namespace stackprint::scoring {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
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
  const auto listed = parse_name_list(text);
  if (!listed) return tl::unexpected(listed.error());
  const auto& names = nmap_test_names();
  std::vector<bool> wanted(names.size(), false);
  for (const ListedName& listed_name : *listed) {
    const auto it = std::find(names.begin(), names.end(), listed_name.name);
    if (it == names.end()) {
      return fail(fmt::format("'{}'{} is not one of Nmap's tests (SEQ OPS WIN ECN T1-T7 U1 IE)", listed_name.name,
                              listed_name.item == listed_name.name ? "" : fmt::format(" (in '{}')", listed_name.item)));
    }
    wanted[static_cast<std::size_t>(it - names.begin())] = true;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i]) out.emplace_back(names[i]);
  }
  return out;
}

} // namespace stackprint::scoring
