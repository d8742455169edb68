#include "stackprint/scoring/os_report.hpp"

#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace stackprint::scoring {

namespace {

// MAX_OS_CLASSMEMBERS: at most 8 device types, CPEs and families in the Running/CPE lines.
constexpr std::size_t k_max_class_members = 8;
// printosscanoutput lists at most 8 perfect matches unless debugging.
constexpr std::size_t k_max_listed_perfect = 8;
// Guesses: at most 10, strictly within 10 points of the best.
constexpr std::size_t k_max_guesses = 10;
// Nmap copies the first generation of a family into a 48-byte buffer.
constexpr std::size_t k_first_generation_chars = 47;

bool same_optional(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}

bool same_class(const database::OsClass& a, const database::OsClass& b) {
  return a.vendor == b.vendor && a.family == b.family && a.device_type == b.device_type &&
         same_optional(a.generation, b.generation);
}

// addtochararrayifnew: false when the text is new and the list is already full.
bool add_if_new(std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list) {
    if (s == text) return true;
  }
  if (list.size() >= k_max_class_members) return false;
  list.push_back(text);
  return true;
}

// The osmatch entries written when there is no perfect match (also the "Aggressive OS guesses").
std::vector<std::size_t> guess_indexes(const MatchResult& result) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0;
       i < k_max_guesses && i < result.matches.size() && result.matches[i].accuracy > result.matches[0].accuracy - 0.10;
       ++i) {
    out.push_back(i);
  }
  return out;
}

constexpr std::string_view k_submit_hint = "(If you know what OS is running on it, see https://nmap.org/submit/ ).";

} // namespace

int percent(double accuracy) { return static_cast<int>(std::floor(accuracy * 100)); }

Classification classify(const database::OsDb& db, const MatchResult& result) {
  Classification c;
  if (result.outcome == Outcome::too_many_matches) {
    c.outcome = Outcome::too_many_matches;
    return c;
  }
  c.outcome = Outcome::success;
  for (std::size_t m = 0; m < result.matches.size(); ++m) {
    const bool perfect_match = m < result.perfect_matches;
    for (const auto& os_class : db.references()[result.matches[m].reference].classes) {
      bool known = false;
      for (const auto& seen : c.classes) {
        if (same_class(*seen.os_class, os_class)) {
          known = true;
          break;
        }
      }
      if (known) continue;
      if (c.classes.size() == k_max_results) {
        if (perfect_match) c.outcome = Outcome::too_many_matches;
        return c;
      }
      // Lesser matches add nothing once a perfect class exists.
      if (c.perfect_classes > 0 && !perfect_match) return c;
      c.classes.push_back(ClassMatch{&os_class, result.matches[m].accuracy});
      if (perfect_match) ++c.perfect_classes;
    }
  }
  if (c.classes.empty()) c.outcome = Outcome::no_matches;
  return c;
}

std::vector<std::string> classification_lines(const Classification& classification, bool guess) {
  std::vector<std::string> lines;
  if (classification.outcome != Outcome::success) return lines;
  struct Family {
    std::string name;
    std::string generations;
    double accuracy = 0.0;
  };
  std::vector<std::string> types;
  std::vector<std::string> cpes;
  std::vector<Family> families;
  bool overflow = false;
  const auto& classes = classification.classes;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const double acc = classes[i].accuracy;
    if ((!guess && i >= classification.perfect_classes) || acc <= classes[0].accuracy - 0.1 || (acc < 1.0 && i > 9)) {
      break;
    }
    const database::OsClass& oc = *classes[i].os_class;
    if (!add_if_new(types, oc.device_type)) overflow = true;
    for (const auto& cpe : oc.cpes) {
      if (!add_if_new(cpes, cpe.uri)) overflow = true;
    }
    // No point repeating the vendor when it is the family name.
    const std::string full = oc.vendor == oc.family ? oc.family : oc.vendor + " " + oc.family;
    Family* family = nullptr;
    for (auto& f : families) {
      if (f.name == full) {
        family = &f;
        break;
      }
    }
    if (family != nullptr) {
      // Generations are checked by substring, as Nmap does (strstr).
      if (oc.generation && family->generations.find(*oc.generation) == std::string::npos) {
        if (!family->generations.empty()) family->generations += '|';
        family->generations += *oc.generation;
      }
    } else {
      if (families.size() >= k_max_class_members) {
        overflow = true;
        break;
      }
      Family f;
      f.name = full;
      f.accuracy = acc;
      if (oc.generation) f.generations = oc.generation->substr(0, k_first_generation_chars);
      families.push_back(std::move(f));
    }
    if (overflow) break;
  }
  if (overflow || families.empty()) return lines;

  std::string device = "Device type: ";
  for (std::size_t i = 0; i < types.size(); ++i) device += (i > 0 ? "|" : "") + types[i];
  lines.push_back(std::move(device));

  std::string running = classification.perfect_classes == 0 ? "Running (JUST GUESSING): " : "Running: ";
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (i > 0) running += ", ";
    running += families[i].name;
    if (!families[i].generations.empty()) running += " " + families[i].generations;
    // 7.93 compares the family index with the number of perfect classes.
    if (i >= classification.perfect_classes) running += fmt::format(" ({}%)", percent(families[i].accuracy));
  }
  lines.push_back(std::move(running));

  if (!cpes.empty()) {
    std::string cpe_line = "OS CPE:";
    for (const auto& c : cpes) cpe_line += " " + c;
    lines.push_back(std::move(cpe_line));
  }
  return lines;
}

OsReport build_os_report(const database::OsDb& db, const MatchResult& result, ReportOptions options) {
  OsReport report;
  const bool guess = options.osscan_guess || options.non_ideal;
  report.lines = classification_lines(classify(db, result), guess);
  const auto name = [&](std::size_t i) -> const std::string& {
    return db.references()[result.matches[i].reference].name;
  };

  if (result.outcome == Outcome::success && (result.perfect_matches <= k_max_listed_perfect || options.debugging)) {
    if (result.perfect_matches > 0) {
      std::string details = "OS details: ";
      for (std::size_t i = 0; i < result.matches.size() && result.matches[i].accuracy == 1.0; ++i) {
        if (i > 0) details += ", ";
        details += name(i);
        report.xml_matches.push_back(i);
      }
      report.lines.push_back(std::move(details));
      return report;
    }
    report.xml_matches = guess_indexes(result);
    if (guess && !result.matches.empty()) {
      std::string guesses = "Aggressive OS guesses: ";
      for (const std::size_t i : report.xml_matches) {
        if (i > 0) guesses += ", ";
        guesses += fmt::format("{} ({}%)", name(i), percent(result.matches[i].accuracy));
      }
      report.lines.push_back(std::move(guesses));
    }
    if (!options.non_ideal) {
      report.lines.push_back(fmt::format("No exact OS matches for host {}", k_submit_hint));
      report.fingerprint_follows = true;
    } else {
      report.lines.emplace_back("No exact OS matches for host (test conditions non-ideal).");
    }
    return report;
  }
  if (result.outcome == Outcome::no_matches) {
    if (!options.non_ideal) {
      report.lines.push_back(fmt::format("No OS matches for host {}", k_submit_hint));
      report.fingerprint_follows = true;
    } else {
      report.lines.emplace_back("No OS matches for host");
    }
    return report;
  }
  report.lines.emplace_back("Too many fingerprints match this host to give specific OS details");
  return report;
}

} // namespace stackprint::scoring
