// `stackprint match [--db PATH] [--guess] [--json] [--semantics 7.93|fixed] [--filtered TESTS] [FILE|-]`
// Matches one subject fingerprint (Nmap's OS:-wrapped form or one test per line) against nmap-os-db
// and prints what Nmap 7.93 would print for it (Device type / Running / OS CPE, then OS details or
// the guesses), or one JSON object with --json. When the fingerprint lacks some of Nmap's 13 test
// lines, or --filtered names tests whose R=N came from a filter (matched without them, see
// scoring/partial_match.hpp), one more line says which ("missing_tests" in JSON).
//
// Exit status: 0 when matching ran (whatever the outcome), 2 for unusable input (arguments,
// database, fingerprint), 3 when the seccomp allow-list cannot be installed.
//
// Both files are opened first; then the allow-list goes on (cli/offline_sandbox.hpp) and only then
// are they read and parsed.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/offline_sandbox.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/scoring/partial_match.hpp"

namespace stackprint::cli {

namespace {

struct MatchArgs {
  std::string db_path;
  std::string semantics = "7.93";
  std::string input = "-";
  bool guess = false;
  bool json = false;
  std::string filtered; // --filtered: e.g. "T2-T7,U1,IE"
};

// "Missing tests: SEQ (not in the fingerprint); T2 T3 (filtered, matched without them)", or
// nullopt when nothing is missing.
std::optional<std::string> missing_tests_text(const std::vector<std::string>& absent,
                                              const std::vector<std::string>& filtered) {
  std::string parts;
  if (!absent.empty()) parts = scoring::join_test_names(absent) + " (not in the fingerprint)";
  if (!filtered.empty()) {
    if (!parts.empty()) parts += "; ";
    parts += scoring::join_test_names(filtered) + " (filtered, matched without them)";
  }
  if (parts.empty()) return std::nullopt;
  return "Missing tests: " + parts;
}

const char* outcome_name(scoring::Outcome o) {
  switch (o) {
  case scoring::Outcome::success: return "success";
  case scoring::Outcome::no_matches: return "no_matches";
  case scoring::Outcome::too_many_matches: return "too_many_matches";
  }
  return "unknown";
}

nlohmann::json to_json(const database::OsDb& db, const scoring::MatchResult& result, const scoring::OsReport& report,
                       const std::string& semantics, const std::vector<std::string>& absent,
                       const std::vector<std::string>& filtered) {
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : result.matches) {
    const auto& ref = db.references()[m.reference];
    nlohmann::json classes = nlohmann::json::array();
    for (const auto& c : ref.classes) {
      nlohmann::json cpes = nlohmann::json::array();
      for (const auto& cpe : c.cpes) cpes.push_back(cpe.uri);
      classes.push_back({{"vendor", c.vendor},
                         {"family", c.family},
                         {"generation", c.generation ? nlohmann::json(*c.generation) : nlohmann::json(nullptr)},
                         {"type", c.device_type},
                         {"cpe", cpes}});
    }
    matches.push_back(
        {{"name", ref.name}, {"accuracy", scoring::percent(m.accuracy)}, {"line", ref.line}, {"classes", classes}});
  }
  return {{"outcome", outcome_name(result.outcome)},
          {"perfect", result.perfect_matches > 0 && result.outcome == scoring::Outcome::success},
          {"perfect_matches", result.perfect_matches},
          {"semantics", semantics},
          {"matches", matches},
          {"nmap_shown", report.xml_matches.size()},
          {"lines", report.lines},
          {"missing_tests", {{"absent", absent}, {"filtered", filtered}}}};
}

int run_match(const MatchArgs& args) {
  auto fp_file = open_text_file(args.input);
  if (!fp_file) {
    print_error("match", fp_file.error().message);
    return k_exit_bad_input;
  }
  // A database that cannot be opened is reported after the fingerprint's own errors, as before.
  const std::string db_path = resolve_os_db_path(args.db_path);
  auto db_file = open_text_file(db_path);
  if (!enter_offline_sandbox("match")) return k_exit_environment;

  const auto fp_text = read_text_file(*fp_file);
  if (!fp_text) {
    print_error("match", fp_text.error().message);
    return k_exit_bad_input;
  }
  const auto subject = fingerprint::parse_fingerprint(*fp_text);
  if (!subject) {
    print_error("match", args.input + ": " + subject.error().message);
    return k_exit_bad_input;
  }
  const auto db =
      db_file.and_then([&](OpenTextFile& file) { return read_text_file(file); }).and_then([&](const std::string& text) {
        return database::parse_os_db(text, db_path);
      });
  if (!db) {
    print_error("match", db.error().message);
    return k_exit_bad_input;
  }
  scoring::MatchOptions options;
  options.semantics = args.semantics == "fixed" ? database::Semantics::fixed : database::Semantics::nmap_7_93;
  // Tests named by --filtered that the fingerprint has are left out of the match; the others are
  // absent anyway.
  std::vector<std::string> filtered;
  if (!args.filtered.empty()) {
    auto listed = scoring::parse_test_list(args.filtered);
    if (!listed) {
      print_error("match", "--filtered " + listed.error().message);
      return k_exit_bad_input;
    }
    for (auto& name : *listed) {
      if (subject->find(name) != nullptr) filtered.push_back(std::move(name));
    }
  }
  const std::vector<std::string> absent = scoring::absent_tests(*subject);
  scoring::Matcher matcher(*db, options);
  const scoring::MatchResult result = scoring::match_present_tests(matcher, *subject, filtered);

  // G=N in the SCAN line means Nmap had a reason not to trust the conditions (docs/nmap-behaviour.md 5.2).
  scoring::ReportOptions report_options;
  report_options.osscan_guess = args.guess;
  if (subject->scan) {
    const std::string* good = subject->scan->find("G");
    report_options.non_ideal = good != nullptr && *good == "N";
  }
  const scoring::OsReport report = scoring::build_os_report(*db, result, report_options);

  if (args.json) {
    std::printf("%s\n", to_json(*db, result, report, args.semantics, absent, filtered).dump().c_str());
    return k_exit_ok;
  }
  for (const auto& line : report.lines) std::printf("%s\n", line.c_str());
  if (const auto missing = missing_tests_text(absent, filtered)) std::printf("%s\n", missing->c_str());
  if (report.fingerprint_follows) {
    std::printf("TCP/IP fingerprint:\n%s", fingerprint::format_wrapped(*subject).c_str());
  }
  return k_exit_ok;
}

} // namespace

void add_match_command(CLI::App& app, int& status) {
  auto args = std::make_shared<MatchArgs>();
  auto* cmd = app.add_subcommand("match", "Match a subject fingerprint against nmap-os-db, as Nmap 7.93 does");
  cmd->add_option("--db", args->db_path, "nmap-os-db path (default: $STACKPRINT_DB or /usr/share/nmap/nmap-os-db)");
  cmd->add_flag("--guess", args->guess, "print the aggressive guesses (like --osscan-guess)");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_option("--semantics", args->semantics, "expression semantics: 7.93 (exact Nmap) or fixed")
      ->check(CLI::IsMember({"7.93", "fixed"}));
  cmd->add_option("--filtered", args->filtered,
                  "tests whose R=N came from a filter, matched without them (e.g. T2-T7,U1,IE)");
  cmd->add_option("file", args->input, "fingerprint file, or - for standard input (default)");
  cmd->callback([args, &status] { status = run_match(*args); });
}

} // namespace stackprint::cli
