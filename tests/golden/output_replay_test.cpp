// Golden test: the reports `stackprint replay -oN/-oX/-oJ` writes for each recorded Nmap 7.93 run
// (tests/data/captures/<name>/) against what Nmap itself wrote for the same run (nmap.nmap,
// nmap.xml), with the run's own -v level, --osscan-guess and -T5.
//
// Normal output: every line of the host block, from "Nmap scan report for" to its end, must be
// identical (status reason, scan time, port table, the "MAC Address:" line or its absence for a
// routed target, warnings, Device type / Running / OS CPE, OS details or guesses with their
// percentages, the "No exact OS matches" texts, Network Distance or its absence, IP ID Sequence
// Generation), except where Nmap's value depends on when it printed or on its own send clock:
//   - "Host is up, received R (Ns latency).": the latency is Nmap's smoothed round-trip time from
//     its own send clock and is not in the capture (the routed captures' port-scan replies come
//     20-40 us after the probes while Nmap printed 77-93 us), so it is left out of the comparison;
//     the reason must be the same;
//   - "Scanned at T UTC for Ns": T the same, N at most 1 s less than Nmap's (Nmap's end is when it
//     gave up waiting after its last packet, the capture's end is that last packet);
//   - the fingerprint block is compared test by test as in replay_capture_test.cpp (SCAN's D/TM
//     are print times; SEQ's SP, ISR and a measured TS may differ by 1), and its layout (wrapped
//     or plain) must be the same;
//   - "Uptime guess": same presence, days within 0.001, boot time within 2 s;
//   - "TCP Sequence Prediction: Difficulty=N (words)": N within 1.
// XML: <status>, the <address> elements (a "mac" one only when Nmap has one), the <port>
// elements, <os> (portused, every osmatch with its osclass and cpe children, osfingerprint),
// uptime, distance, tcpsequence, ipidsequence, tcptssequence must be equal, with the same
// allowances.
// JSON: the reported matches equal the XML osmatch list.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/captures.hpp"
#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;
using test_support::captures_dir;
using test_support::expect_same_fingerprint;
using test_support::read_file;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// ctime text ("Fri Nov 27 04:56:58 2026", UTC) to seconds; -1 if it does not parse.
long long ctime_seconds(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%a %b %d %H:%M:%S %Y");
  if (in.fail()) return -1;
  return static_cast<long long>(timegm(&tm));
}

// Lines of the host block: from "Nmap scan report for" up to "Read data files", "OS detection
// performed" or the end. Trailing blank lines dropped.
std::vector<std::string> host_block(const std::vector<std::string>& lines) {
  std::size_t begin = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("Nmap scan report for ", 0) == 0) {
      begin = i;
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

// "Host is up, received user-set (0.000078s latency)." without " (...s latency)".
std::string without_latency(const std::string& line) {
  const auto open = line.find(" (");
  const auto close = line.find("s latency)", open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return line;
  return line.substr(0, open) + line.substr(close + 10);
}

void expect_same_host_block(const std::vector<std::string>& ours, const std::vector<std::string>& nmap) {
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
    } else if (b.rfind("Scanned at ", 0) == 0) {
      const auto duration_at = [](const std::string& line) { return line.rfind(" for "); };
      ASSERT_NE(duration_at(a), std::string::npos) << a;
      ASSERT_NE(duration_at(b), std::string::npos) << b;
      EXPECT_EQ(a.substr(0, duration_at(a)), b.substr(0, duration_at(b)));
      const int na = std::atoi(a.c_str() + duration_at(a) + 5);
      const int nb = std::atoi(b.c_str() + duration_at(b) + 5);
      EXPECT_TRUE(na == nb || na + 1 == nb) << a << " vs " << b;
    } else if (b.rfind("Host is up", 0) == 0) {
      EXPECT_EQ(without_latency(a), without_latency(b));
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

// <status>, every <address> and every <port> (with its state and service) as text lines.
std::vector<std::string> host_head(const pugi::xml_node& host) {
  std::vector<std::string> out{attributes_of(host.child("status"))};
  for (const auto& a : host.children("address")) out.push_back(attributes_of(a));
  for (const auto& port : host.child("ports").children("port")) {
    out.push_back(attributes_of(port) + " | " + attributes_of(port.child("state")) + " | " +
                  attributes_of(port.child("service")));
  }
  return out;
}

void expect_same_xml(const pugi::xml_node& ours, const pugi::xml_node& nmap) {
  EXPECT_EQ(host_head(ours), host_head(nmap));
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
    EXPECT_LE(
        std::llabs(ctime_seconds(ua.attribute("lastboot").value()) - ctime_seconds(ub.attribute("lastboot").value())),
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
  ASSERT_EQ(test_support::run_command(command).status, 0) << command;

  SCOPED_TRACE(command);
  {
    SCOPED_TRACE("normal output");
    const auto nmap_block = host_block(split_lines(read_file(dir / "nmap.nmap")));
    ASSERT_FALSE(nmap_block.empty()) << "no host in nmap.nmap";
    expect_same_host_block(host_block(split_lines(read_file(out / "ours.nmap"))), nmap_block);
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

// -d raises the verbosity by one level as well (docs/nmap-behaviour.md 5.4): replay -d writes the
// REASON column and, like -v, the "Read data files from:" line; without either, neither.
TEST(ReplayVerbosity, DebugCountsAsOneMoreVerbose) {
  const fs::path dir = captures_dir() / "default";
  const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"));
  const fs::path out = fs::path(testing::TempDir()) / "stackprint_replay_verbosity";
  fs::create_directories(out);
  const auto report = [&](const std::string& flags) {
    const fs::path file = out / ("report" + flags + ".nmap");
    const std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                                "' --target " + meta.at("target_ip").get<std::string>() + " " + flags + " -oN '" +
                                file.string() + "' >/dev/null 2>&1";
    EXPECT_EQ(test_support::run_command(command).status, 0) << command;
    return read_file(file);
  };
  const std::string plain = report("");
  const std::string verbose = report("-v");
  const std::string debug = report("-d");
  EXPECT_EQ(plain.find("Read data files from: "), std::string::npos);
  EXPECT_EQ(plain.find("REASON"), std::string::npos);
  EXPECT_NE(verbose.find("Read data files from: "), std::string::npos);
  EXPECT_EQ(verbose.find("REASON"), std::string::npos);
  EXPECT_NE(debug.find("Read data files from: "), std::string::npos);
  EXPECT_NE(debug.find("PORT      STATE  SERVICE REASON\n"), std::string::npos);
  EXPECT_NE(debug.find("40125/udp closed unknown port-unreach ttl 64\n"), std::string::npos);
  // The data-files line comes right before "OS detection performed", as in Nmap's -vv report.
  const std::string nmap = read_file(dir / "nmap.nmap");
  const auto line_after = [](const std::string& text, const std::string& prefix) {
    const auto at = text.find(prefix);
    if (at == std::string::npos) return std::string();
    const auto next = text.find('\n', at) + 1;
    return text.substr(next, text.find('\n', next) - next);
  };
  EXPECT_EQ(line_after(debug, "Read data files from: "), line_after(nmap, "Read data files from: "));
}

TEST(ReportsMatchNmapData, EveryRecordedRunIsACase) {
  EXPECT_GE(test_support::captures_with({"nmap.nmap", "nmap.xml", "capture.pcap"}).size(),
            test_support::k_min_recorded_nmap_runs);
}

INSTANTIATE_TEST_SUITE_P(Captures, ReportsMatchNmap,
                         ::testing::ValuesIn(test_support::captures_with({"nmap.nmap", "nmap.xml", "capture.pcap"})),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

} // namespace
} // namespace stackprint
