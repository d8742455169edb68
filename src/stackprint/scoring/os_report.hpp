#pragma once
// What Nmap 7.93 makes of a match result (docs/nmap-behaviour.md 3.4, 3.5): the class list (populateClassification),
// the "Device type / Running / OS CPE" lines (printosclassificationoutput) and the choice of
// "OS details / Aggressive OS guesses / No exact OS matches / No OS matches / Too many fingerprints
// match" text and of the XML osmatch entries (printosscanoutput). Lines carry no trailing newline.

#include <cstddef>
#include <string>
#include <vector>

#include "stackprint/database/os_db.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::scoring {

struct ClassMatch {
  const database::OsClass* os_class = nullptr;
  double accuracy = 0.0; // accuracy of the match that first brought the class in
};

struct Classification {
  Outcome outcome = Outcome::no_matches;
  std::vector<ClassMatch> classes;
  std::size_t perfect_classes = 0;
};

// populateClassification: unique (vendor, family, device type, generation) classes in match order.
[[nodiscard]] Classification classify(const database::OsDb& db, const MatchResult& result);

// printosclassificationoutput: "Device type: ...", "Running...: ...", "OS CPE: ..." or nothing.
[[nodiscard]] std::vector<std::string> classification_lines(const Classification& classification, bool guess);

struct ReportOptions {
  bool osscan_guess = false; // --osscan-guess / --guess
  bool non_ideal = false;    // OmitSubmissionFP gave a reason (G=N in the SCAN line)
  bool debugging = false;    // -d: lists more than 8 perfect matches
};

struct OsReport {
  std::vector<std::string> lines;       // classification lines, then the OS details / guesses text
  std::vector<std::size_t> xml_matches; // indexes into MatchResult::matches written as <osmatch>
  bool fingerprint_follows = false;     // Nmap prints "TCP/IP fingerprint:" here without -v
};

[[nodiscard]] OsReport build_os_report(const database::OsDb& db, const MatchResult& result, ReportOptions options);

// Nmap's shown percentage: floor(acc * 100) (text) == (int)(acc * 100) (XML) for accuracies >= 0.
[[nodiscard]] int percent(double accuracy);

} // namespace stackprint::scoring
