// Golden tests against real Nmap 7.93 runs (tests/data/captures/<name>/, recorded by the lab):
// the subject fingerprint Nmap printed (fingerprint.txt) is matched against the installed
// nmap-os-db, and the result must equal what Nmap wrote:
//   - nmap.xml: the <osmatch> list (name, accuracy, line, order) and each match's <osclass> list;
//   - nmap.nmap: the Device type / Running / OS CPE lines and the OS details / guesses / no-match /
//     too-many line, in order.
// Captures made with more than one OS try print a merged fingerprint (docs/nmap-behaviour.md 1.4), which is not
// necessarily the round Nmap matched; those are compared too, and listed in k_merged_print_captures
// when they are known to differ.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "support/captures.hpp"
#include "support/installed_db.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using test_support::installed_db;

std::vector<std::string> capture_names() {
  std::vector<std::string> names;
  const fs::path root = fs::path(STACKPRINT_TEST_DATA_DIR) / "captures";
  if (!fs::exists(root)) return names;
  for (const auto& entry : fs::directory_iterator(root)) {
    const fs::path dir = entry.path();
    if (fs::exists(dir / "fingerprint.txt") && fs::exists(dir / "nmap.xml") && fs::exists(dir / "nmap.nmap")) {
      names.push_back(dir.filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct XmlClass {
  std::string vendor, family, generation, type;
  int accuracy = 0;
  std::vector<std::string> cpes;
  bool operator==(const XmlClass&) const = default;
};
struct XmlMatch {
  std::string name;
  int accuracy = 0;
  int line = 0;
  std::vector<XmlClass> classes;
  bool operator==(const XmlMatch&) const = default;
};

std::ostream& operator<<(std::ostream& os, const XmlMatch& m) {
  os << m.name << " (" << m.accuracy << "%, line " << m.line << ", classes:";
  for (const auto& c : m.classes) {
    os << " [" << c.vendor << "|" << c.family << "|" << c.generation << "|" << c.type << " " << c.accuracy;
    for (const auto& cpe : c.cpes) os << " " << cpe;
    os << "]";
  }
  return os << ")";
}

std::vector<XmlMatch> nmap_xml_matches(const fs::path& file) {
  pugi::xml_document doc;
  std::vector<XmlMatch> out;
  if (!doc.load_file(file.c_str())) return out;
  for (const auto& m : doc.select_nodes("//host/os/osmatch")) {
    XmlMatch x;
    x.name = m.node().attribute("name").value();
    x.accuracy = m.node().attribute("accuracy").as_int();
    x.line = m.node().attribute("line").as_int();
    for (const auto& c : m.node().children("osclass")) {
      XmlClass k;
      k.vendor = c.attribute("vendor").value();
      k.family = c.attribute("osfamily").value();
      k.generation = c.attribute("osgen").value();
      k.type = c.attribute("type").value();
      k.accuracy = c.attribute("accuracy").as_int();
      for (const auto& cpe : c.children("cpe")) k.cpes.emplace_back(cpe.child_value());
      x.classes.push_back(std::move(k));
    }
    out.push_back(std::move(x));
  }
  return out;
}

// The lines of Nmap's normal output that OS matching decides.
std::vector<std::string> nmap_os_lines(const fs::path& file) {
  static const char* const prefixes[] = {"Device type:",
                                         "Running:",
                                         "Running (JUST GUESSING):",
                                         "OS CPE:",
                                         "OS details:",
                                         "Aggressive OS guesses:",
                                         "No exact OS matches for host",
                                         "No OS matches for host",
                                         "Too many fingerprints match this host"};
  std::vector<std::string> out;
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    for (const char* p : prefixes) {
      if (line.rfind(p, 0) == 0) {
        out.push_back(line);
        break;
      }
    }
  }
  return out;
}

class MatchCaptures : public ::testing::TestWithParam<std::string> {};

TEST_P(MatchCaptures, SameListAndLinesAsNmap) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "installed nmap-os-db not available";
  const fs::path dir = fs::path(STACKPRINT_TEST_DATA_DIR) / "captures" / GetParam();

  const auto subject = fingerprint::parse_fingerprint(read_file(dir / "fingerprint.txt"));
  ASSERT_TRUE(subject) << subject.error().message;

  scoring::ReportOptions options;
  if (fs::exists(dir / "meta.json")) {
    const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"), nullptr, false);
    if (meta.is_object() && meta.contains("nmap_command")) {
      for (const auto& arg : meta["nmap_command"]) {
        if (arg == "--osscan-guess" || arg == "--fuzzy") options.osscan_guess = true;
        if (arg == "-d" || arg == "-d1" || arg == "-d2") options.debugging = true;
      }
    }
  }
  if (subject->scan) {
    const std::string* g = subject->scan->find("G");
    options.non_ideal = g != nullptr && *g == "N";
  }

  scoring::Matcher matcher(*db);
  const auto result = matcher.match(*subject);
  const auto report = scoring::build_os_report(*db, result, options);

  std::vector<XmlMatch> ours;
  for (const std::size_t i : report.xml_matches) {
    const auto& ref = db->references()[result.matches[i].reference];
    XmlMatch x;
    x.name = ref.name;
    x.accuracy = scoring::percent(result.matches[i].accuracy);
    x.line = ref.line;
    for (const auto& c : ref.classes) {
      XmlClass k{c.vendor, c.family, c.generation.value_or(""), c.device_type, x.accuracy, {}};
      for (const auto& cpe : c.cpes) k.cpes.push_back(cpe.uri);
      x.classes.push_back(std::move(k));
    }
    ours.push_back(std::move(x));
  }
  const auto theirs = nmap_xml_matches(dir / "nmap.xml");
  EXPECT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
    EXPECT_EQ(ours[i], theirs[i]) << "osmatch #" << i;
  }
  EXPECT_EQ(report.lines, nmap_os_lines(dir / "nmap.nmap"));
}

TEST(MatchCapturesData, EveryRecordedRunIsACase) {
  EXPECT_GE(capture_names().size(), test_support::k_min_recorded_nmap_runs);
}

INSTANTIATE_TEST_SUITE_P(Nmap793, MatchCaptures, ::testing::ValuesIn(capture_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name;
                           for (const char ch : param_info.param) {
                             name += std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MatchCaptures);

} // namespace
} // namespace stackprint
