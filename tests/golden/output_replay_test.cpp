// Golden test: the reports `stackprint replay -oN/-oX/-oJ` writes for each recorded Nmap 7.93 run
// (tests/data/captures/<name>/) against what Nmap itself wrote for the same run (nmap.nmap,
// nmap.xml), with the run's own -v level, --osscan-guess and -T5.
//
// Normal output: every line from after the "MAC Address:" line to the end of the host block must
// be identical (warnings, Device type / Running / OS CPE, OS details or guesses with their
// percentages, the "No exact OS matches" texts, Network Distance, IP ID Sequence Generation),
// except where Nmap's value depends on when it printed or on its own send clock:
//   - the fingerprint block is compared test by test as in replay_capture_test.cpp (SCAN's D/TM
//     are print times; SEQ's SP, ISR and a measured TS may differ by 1), and its layout (wrapped
//     or plain) must be the same;
//   - "Uptime guess": same presence, days within 0.001, boot time within 2 s;
//   - "TCP Sequence Prediction: Difficulty=N (words)": N within 1.
// XML: <os> (portused, every osmatch with its osclass and cpe children, osfingerprint), uptime,
// distance, tcpsequence, ipidsequence, tcptssequence must be equal, with the same allowances.
// JSON: the reported matches equal the XML osmatch list.

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;

fs::path captures_dir() { return fs::path(STACKPRINT_TEST_DATA_DIR) / "captures"; }

std::vector<std::string> captures_with_nmap_reports() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(captures_dir())) {
    const fs::path& p = entry.path();
    if (fs::exists(p / "nmap.nmap") && fs::exists(p / "nmap.xml") && fs::exists(p / "capture.pcap")) {
      names.push_back(p.filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

int run_status(const std::string& command) {
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

bool hex_within_one(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  const long va = std::strtol(a.c_str(), &end_a, 16);
  const long vb = std::strtol(b.c_str(), &end_b, 16);
  return !a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0' && std::labs(va - vb) <= 1;
}

// Fingerprints equal apart from print times (SCAN D, TM) and timing-derived SEQ values (+-1).
void expect_same_fingerprint(const std::string& ours_text, const std::string& nmap_text, const std::string& where) {
  const auto ours = fingerprint::parse_fingerprint(ours_text);
  const auto nmap = fingerprint::parse_fingerprint(nmap_text);
  ASSERT_TRUE(ours) << where << ": " << ours.error().message << "\n" << ours_text;
  ASSERT_TRUE(nmap) << where << ": " << nmap.error().message;
  ASSERT_EQ(ours->scan.has_value(), nmap->scan.has_value()) << where;
  if (ours->scan) {
    ASSERT_EQ(ours->scan->attributes.size(), nmap->scan->attributes.size()) << where;
    for (std::size_t i = 0; i < ours->scan->attributes.size(); ++i) {
      const auto& a = ours->scan->attributes[i];
      const auto& b = nmap->scan->attributes[i];
      EXPECT_EQ(a.name, b.name) << where;
      if (a.name != "D" && a.name != "TM") {
        EXPECT_EQ(a.value, b.value) << where << " SCAN." << a.name;
      }
    }
  }
  ASSERT_EQ(ours->tests.size(), nmap->tests.size()) << where << "\n" << ours_text;
  for (std::size_t i = 0; i < ours->tests.size(); ++i) {
    const auto& a = ours->tests[i];
    const auto& b = nmap->tests[i];
    ASSERT_EQ(a.name, b.name) << where;
    ASSERT_EQ(a.attributes.size(), b.attributes.size()) << where << " " << a.name;
    for (std::size_t j = 0; j < a.attributes.size(); ++j) {
      const auto& x = a.attributes[j];
      const auto& y = b.attributes[j];
      ASSERT_EQ(x.name, y.name) << where << " " << a.name;
      const bool timing = a.name == "SEQ" && (x.name == "SP" || x.name == "ISR" || x.name == "TS");
      if (timing && x.value != y.value) {
        EXPECT_TRUE(hex_within_one(x.value, y.value)) << where << " SEQ." << x.name << " " << x.value << " vs " << y.value;
      } else {
        EXPECT_EQ(x.value, y.value) << where << " " << a.name << "." << x.name;
      }
    }
  }
}

// ctime text ("Fri Nov 27 04:56:58 2026", UTC) to seconds; -1 if it does not parse.
long long ctime_seconds(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%a %b %d %H:%M:%S %Y");
  if (in.fail()) return -1;
  return static_cast<long long>(timegm(&tm));
}

// Lines of the host block after the MAC line (or after the port table), up to the end of the
// host: "Read data files", "OS detection performed" or the end. Trailing blank lines dropped.
std::vector<std::string> os_part(const std::vector<std::string>& lines) {
  std::size_t begin = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("MAC Address:", 0) == 0) {
      begin = i + 1;
      break;
    }
  }
  std::vector<std::string> out;
  for (std::size_t i = begin; i < lines.size(); ++i) {
    if (lines[i].rfind("Read data files", 0) == 0 || lines[i].rfind("OS detection performed", 0) == 0) break;
    out.push_back(lines[i]);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

void expect_same_os_part(const std::vector<std::string>& ours, const std::vector<std::string>& nmap) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < ours.size() && j < nmap.size()) {
    const std::string& a = ours[i];
    const std::string& b = nmap[j];
    if (b == "TCP/IP fingerprint:") {
      ASSERT_EQ(a, b);
      std::string fa;
      std::string fb;
      for (++i; i < ours.size() && !ours[i].empty(); ++i) fa += ours[i] + "\n";
      for (++j; j < nmap.size() && !nmap[j].empty(); ++j) fb += nmap[j] + "\n";
      EXPECT_EQ(fa.rfind("OS:", 0) == 0, fb.rfind("OS:", 0) == 0) << "wrapped vs plain\n" << fa;
      expect_same_fingerprint(fa, fb, "normal output");
      ASSERT_TRUE(i < ours.size() && j < nmap.size()) << "blank line after the fingerprint";
      ++i;
      ++j;
      continue;
    }
    if (b.rfind("Uptime guess: ", 0) == 0) {
      double da = -1;
      double db = -1;
      ASSERT_EQ(std::sscanf(a.c_str(), "Uptime guess: %lf days", &da), 1) << a;
      ASSERT_EQ(std::sscanf(b.c_str(), "Uptime guess: %lf days", &db), 1) << b;
      EXPECT_NEAR(da, db, 0.0011) << a << " vs " << b;
      const auto since = [](const std::string& s) {
        const auto p = s.find("(since ");
        return p == std::string::npos ? std::string() : s.substr(p + 7, s.size() - p - 8);
      };
      const long long sa = ctime_seconds(since(a));
      const long long sb = ctime_seconds(since(b));
      ASSERT_GE(sa, 0) << a;
      EXPECT_LE(std::llabs(sa - sb), 2) << a << " vs " << b;
    } else if (b.rfind("TCP Sequence Prediction: Difficulty=", 0) == 0) {
      int va = -1000;
      int vb = -1000;
      ASSERT_EQ(std::sscanf(a.c_str(), "TCP Sequence Prediction: Difficulty=%d", &va), 1) << a;
      ASSERT_EQ(std::sscanf(b.c_str(), "TCP Sequence Prediction: Difficulty=%d", &vb), 1) << b;
      EXPECT_LE(std::abs(va - vb), 1) << a << " vs " << b;
    } else {
      EXPECT_EQ(a, b);
    }
    ++i;
    ++j;
  }
  EXPECT_EQ(i, ours.size()) << "extra lines in ours, from: " << (i < ours.size() ? ours[i] : "");
  EXPECT_EQ(j, nmap.size()) << "missing lines, from: " << (j < nmap.size() ? nmap[j] : "");
}

std::string attributes_of(const pugi::xml_node& node) {
  std::string out = node.name();
  for (const auto& a : node.attributes()) out += std::string(" ") + a.name() + "=" + a.value();
  for (const auto& c : node.children("cpe")) out += std::string(" cpe:") + c.child_value();
  return out;
}

void expect_same_xml(const pugi::xml_node& ours, const pugi::xml_node& nmap) {
  // Order of the OS-related host children.
  const auto names = [](const pugi::xml_node& host) {
    std::vector<std::string> v;
    for (const auto& c : host.children()) {
      const std::string n = c.name();
      if (n == "os" || n == "uptime" || n == "distance" || n == "tcpsequence" || n == "ipidsequence" ||
          n == "tcptssequence") {
        v.push_back(n);
      }
    }
    return v;
  };
  EXPECT_EQ(names(ours), names(nmap));

  const pugi::xml_node os_a = ours.child("os");
  const pugi::xml_node os_b = nmap.child("os");
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (const auto& c : os_a.children()) {
    if (std::string(c.name()) == "osfingerprint") continue;
    a.push_back(attributes_of(c));
    for (const auto& k : c.children("osclass")) a.push_back("  " + attributes_of(k));
  }
  for (const auto& c : os_b.children()) {
    if (std::string(c.name()) == "osfingerprint") continue;
    b.push_back(attributes_of(c));
    for (const auto& k : c.children("osclass")) b.push_back("  " + attributes_of(k));
  }
  EXPECT_EQ(a, b);
  const pugi::xml_node fa = os_a.child("osfingerprint");
  const pugi::xml_node fb = os_b.child("osfingerprint");
  EXPECT_EQ(fa.empty(), fb.empty()) << "osfingerprint presence";
  if (!fa.empty() && !fb.empty()) {
    expect_same_fingerprint(fa.attribute("fingerprint").value(), fb.attribute("fingerprint").value(), "XML");
  }

  const pugi::xml_node ua = ours.child("uptime");
  const pugi::xml_node ub = nmap.child("uptime");
  EXPECT_EQ(ua.empty(), ub.empty()) << "uptime presence";
  if (!ua.empty() && !ub.empty()) {
    EXPECT_LE(std::llabs(ua.attribute("seconds").as_llong() - ub.attribute("seconds").as_llong()), 2);
    EXPECT_LE(std::llabs(ctime_seconds(ua.attribute("lastboot").value()) - ctime_seconds(ub.attribute("lastboot").value())),
              2);
  }
  EXPECT_EQ(attributes_of(ours.child("distance")), attributes_of(nmap.child("distance")));
  const pugi::xml_node sa = ours.child("tcpsequence");
  const pugi::xml_node sb = nmap.child("tcpsequence");
  EXPECT_EQ(sa.empty(), sb.empty()) << "tcpsequence presence";
  if (!sa.empty() && !sb.empty()) {
    EXPECT_LE(std::abs(sa.attribute("index").as_int() - sb.attribute("index").as_int()), 1);
    EXPECT_STREQ(sa.attribute("values").value(), sb.attribute("values").value());
  }
  EXPECT_EQ(attributes_of(ours.child("ipidsequence")), attributes_of(nmap.child("ipidsequence")));
  EXPECT_EQ(attributes_of(ours.child("tcptssequence")), attributes_of(nmap.child("tcptssequence")));
}

class ReportsMatchNmap : public ::testing::TestWithParam<std::string> {};

TEST_P(ReportsMatchNmap, NormalXmlAndJson) {
  const fs::path dir = captures_dir() / GetParam();
  const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"));
  const fs::path out = fs::path(testing::TempDir()) / ("stackprint_output_" + GetParam());
  fs::create_directories(out);
  std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                        "' --target " + meta.at("target_ip").get<std::string>();
  for (const auto& word : meta.at("nmap_command")) {
    const std::string w = word.get<std::string>();
    if (w == "-T5" || w == "--osscan-guess" || w == "-v" || w == "-vv" || w == "-d") command += " " + w;
  }
  command += " -oN '" + (out / "ours.nmap").string() + "' -oX '" + (out / "ours.xml").string() + "' -oJ '" +
             (out / "ours.json").string() + "' 2>/dev/null";
  ASSERT_EQ(run_status(command), 0) << command;

  SCOPED_TRACE(command);
  {
    SCOPED_TRACE("normal output");
    expect_same_os_part(os_part(split_lines(read_file(out / "ours.nmap"))),
                        os_part(split_lines(read_file(dir / "nmap.nmap"))));
  }
  pugi::xml_document ours_xml;
  pugi::xml_document nmap_xml;
  ASSERT_TRUE(ours_xml.load_file((out / "ours.xml").c_str()));
  ASSERT_TRUE(nmap_xml.load_file((dir / "nmap.xml").c_str()));
  const pugi::xml_node ours_host = ours_xml.child("nmaprun").child("host");
  const pugi::xml_node nmap_host = nmap_xml.child("nmaprun").child("host");
  ASSERT_FALSE(ours_host.empty());
  {
    SCOPED_TRACE("XML");
    expect_same_xml(ours_host, nmap_host);
  }

  const auto json_text = split_lines(read_file(out / "ours.json"));
  ASSERT_EQ(json_text.size(), 1U);
  const auto host = nlohmann::json::parse(json_text[0]);
  std::vector<std::string> reported;
  for (const auto& m : host.at("os_detection").at("matches")) {
    if (m.at("reported").get<bool>()) {
      reported.push_back(m.at("name").get<std::string>() + " " + std::to_string(m.at("percent").get<int>()));
    }
  }
  std::vector<std::string> xml_matches;
  for (const auto& m : nmap_host.child("os").children("osmatch")) {
    xml_matches.push_back(std::string(m.attribute("name").value()) + " " + m.attribute("accuracy").value());
  }
  EXPECT_EQ(reported, xml_matches);
}

INSTANTIATE_TEST_SUITE_P(Captures, ReportsMatchNmap, ::testing::ValuesIn(captures_with_nmap_reports()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

} // namespace
} // namespace stackprint
