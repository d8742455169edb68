#include "stackprint/output/os_section.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/xml_output.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::output {
namespace {

using Lines = std::vector<std::string>;

// Weights chosen so that a miss of E, D, C, B gives 98, 97, 95, 90 percent.
constexpr const char* k_points = "MatchPoints\nSEQ(A=80%B=10%C=5%D=3%E=2)\n\n";

database::OsDb make_db(const std::string& body) {
  auto db = database::parse_os_db(std::string(k_points) + body, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

std::string entry(const std::string& name, const std::string& classes, const std::string& misses = "") {
  std::string seq = "SEQ(";
  for (const char a : std::string("ABCDE")) {
    if (a != 'A') seq += "%";
    seq += std::string(1, a) + "=" + (misses.find(a) != std::string::npos ? "N" : "Y");
  }
  return "Fingerprint " + name + "\n" + classes + seq + ")\n\n";
}

const std::string k_linux = "Class Linux | Linux | 5.X | general purpose\nCPE cpe:/o:linux:linux_kernel:5\n";

// A one-round host whose round fingerprint is SEQ(A..E=Y), matched against `db`.
HostReport host_for(const database::OsDb& db, std::optional<std::string> reason = std::nullopt) {
  HostReport host;
  host.address = 0x0A630A02;
  responses::RoundAnalysis round;
  round.fingerprint.tests.push_back({"SEQ", {{"A", "Y"}, {"B", "Y"}, {"C", "Y"}, {"D", "Y"}, {"E", "Y"}}});
  host.run.rounds.push_back(round);
  host.run.not_ideal_reason = std::move(reason);
  host.run.scan.open_tcp_port = 80;
  host.run.scan.closed_tcp_port = 22;
  host.run.scan.good_for_submission = !host.run.not_ideal_reason;
  host.run.merged = round.fingerprint;
  host.run.merged.scan = fingerprint::to_test_line(host.run.scan);
  scoring::Matcher m(db);
  set_round_matches(host, {m.match(round.fingerprint)});
  return host;
}

OutputOptions verbosity(int v, bool guess = false) {
  OutputOptions o;
  o.verbosity = v;
  o.osscan_guess = guess;
  return o;
}

TEST(OsSection, PerfectMatchPrintsDetailsAndTheFingerprintOnlyWithVV) {
  const auto db = make_db(entry("Linux 5.3", k_linux) + entry("Near", "Class Near | NearOS | 1 | phone\n", "E"));
  const HostReport host = host_for(db);
  const OsSection quiet = build_os_section(db, host, verbosity(1));
  EXPECT_EQ(quiet.lines, (Lines{"Device type: general purpose", "Running: Linux 5.X",
                                "OS CPE: cpe:/o:linux:linux_kernel:5", "OS details: Linux 5.3"}));
  EXPECT_FALSE(quiet.fingerprint);
  EXPECT_EQ(quiet.xml_matches, (std::vector<std::size_t>{0}));
  const OsSection loud = build_os_section(db, host, verbosity(2));
  ASSERT_TRUE(loud.fingerprint);
  EXPECT_EQ(loud.fingerprint->rfind("OS:SCAN(", 0), 0U) << *loud.fingerprint;
  EXPECT_NE(loud.fingerprint->find("G=Y"), std::string::npos);
}

TEST(OsSection, IdealConditionsWithoutPerfectMatchAlwaysShowTheWrappedFingerprint) {
  const auto db = make_db(entry("Linux A", k_linux, "E") + entry("Linux B", k_linux, "C"));
  const HostReport host = host_for(db);
  const OsSection s = build_os_section(db, host, verbosity(0));
  EXPECT_EQ(s.lines, (Lines{"No exact OS matches for host (If you know what OS is running on it, see "
                            "https://nmap.org/submit/ )."}));
  ASSERT_TRUE(s.fingerprint);
  EXPECT_EQ(s.fingerprint->rfind("OS:SCAN(", 0), 0U);
  // XML lists the entries within 10 points even without guessing.
  EXPECT_EQ(s.xml_matches, (std::vector<std::size_t>{0, 1}));
  const OsSection guessing = build_os_section(db, host, verbosity(0, true));
  EXPECT_EQ(guessing.lines.at(guessing.lines.size() - 2), "Aggressive OS guesses: Linux A (98%), Linux B (95%)");
}

TEST(OsSection, NotIdealReasonComesAfterClassesAndBeforeGuessesWithVV) {
  const auto db = make_db(entry("Linux A", k_linux, "E"));
  const HostReport host = host_for(db, "Missing a closed TCP port so results incomplete");
  const OsSection loud = build_os_section(db, host, verbosity(2));
  EXPECT_EQ(loud.lines, (Lines{"Device type: general purpose", "Running (JUST GUESSING): Linux 5.X (98%)",
                               "OS CPE: cpe:/o:linux:linux_kernel:5",
                               "OS fingerprint not ideal because: Missing a closed TCP port so results incomplete",
                               "Aggressive OS guesses: Linux A (98%)",
                               "No exact OS matches for host (test conditions non-ideal)."}));
  ASSERT_TRUE(loud.fingerprint);
  EXPECT_EQ(loud.fingerprint->rfind("SCAN(", 0), 0U) << "plain form";
  EXPECT_NE(loud.fingerprint->find("G=N"), std::string::npos);
  const OsSection quiet = build_os_section(db, host, verbosity(1));
  EXPECT_FALSE(quiet.fingerprint);
  EXPECT_EQ(quiet.lines.size(), 5U);
}

TEST(OsSection, NoMatchWithReasonAlwaysSaysWhy) {
  const auto db = make_db(entry("Far", k_linux, "AB"));
  const HostReport host = host_for(db, "Didn't receive UDP response. Please try again with -sSU");
  const OsSection s = build_os_section(db, host, verbosity(0));
  EXPECT_EQ(s.lines, (Lines{"OS fingerprint not ideal because: Didn't receive UDP response. Please try again with -sSU",
                            "No OS matches for host"}));
  EXPECT_FALSE(s.fingerprint);
}

TEST(OsSection, TooManyMatchesHidesTheWarningAndPrintsGNEvenWhenIdeal) {
  std::string body;
  for (int i = 0; i < 37; ++i) body += entry("Perfect " + std::to_string(i), k_linux);
  const auto db = make_db(body);
  HostReport host = host_for(db);
  host.results_unreliable = true;
  ASSERT_EQ(host.final_match().outcome, scoring::Outcome::too_many_matches);
  const OsSection s = build_os_section(db, host, verbosity(2));
  EXPECT_EQ(s.lines, (Lines{"Too many fingerprints match this host to give specific OS details"}));
  ASSERT_TRUE(s.fingerprint);
  EXPECT_EQ(s.fingerprint->rfind("SCAN(", 0), 0U);
  EXPECT_NE(s.fingerprint->find("%G=N%"), std::string::npos) << *s.fingerprint;
  EXPECT_TRUE(s.xml_matches.empty());
}

TEST(OsSection, UnreliableWarningComesFirst) {
  const auto db = make_db(entry("Linux 5.3", k_linux));
  HostReport host = host_for(db);
  host.results_unreliable = true;
  const OsSection s = build_os_section(db, host, verbosity(0));
  ASSERT_FALSE(s.lines.empty());
  EXPECT_EQ(s.lines.front(),
            "Warning: OSScan results may be unreliable because we could not find at least 1 open and 1 closed port");
}

TEST(HostDetailLines, VerbosityAndResponseThresholds) {
  const auto db = make_db(entry("Linux 5.3", k_linux));
  HostReport host = host_for(db);
  host.run.distance = 2;
  auto& seq = host.run.rounds[0].seq;
  seq.seq.responses = 4;
  seq.seq.isn_stats = response_tests::IsnStats{5, 1, 100};
  seq.seq.lastboot_s = 1795755418;
  seq.ti = response_tests::IpIdClass::incremental_by_2;
  const std::int64_t now = 1795755418 + 86400 + 43200;
  EXPECT_EQ(host_detail_lines(host, verbosity(0), now), (Lines{"Network Distance: 2 hops"}));
  OutputOptions v = verbosity(1);
  EXPECT_EQ(host_detail_lines(host, v, now),
            (Lines{"Uptime guess: 1.500 days (since Fri Nov 27 04:56:58 2026)", "Network Distance: 2 hops",
                   "TCP Sequence Prediction: Difficulty=5 (Easy)", "IP ID Sequence Generation: Incrementing by 2"}));
  seq.seq.responses = 3;
  host.run.distance = 1;
  seq.seq.lastboot_s.reset();
  EXPECT_EQ(host_detail_lines(host, v, now),
            (Lines{"Network Distance: 1 hop", "IP ID Sequence Generation: Incrementing by 2"}));
  v.zone = TimeZone{3600, "CET"};
  seq.seq.lastboot_s = 1795755418;
  EXPECT_EQ(host_detail_lines(host, v, now).front(), "Uptime guess: 1.500 days (since Fri Nov 27 05:56:58 2026)");
}

TEST(FinalMatch, ReportsTheRoundNmapWouldReport) {
  const auto db = make_db(entry("Linux 5.3", k_linux));
  HostReport host = host_for(db);
  scoring::MatchResult worse;
  worse.outcome = scoring::Outcome::success;
  worse.matches = {{0, 0.9}};
  scoring::MatchResult better = worse;
  better.matches = {{0, 0.95}};
  set_round_matches(host, {worse, better, worse});
  EXPECT_EQ(host.final_round.match_round, 1U);
  EXPECT_EQ(host.final_round.seq_round, 2U);
  EXPECT_DOUBLE_EQ(host.final_match().matches[0].accuracy, 0.95);
  EXPECT_EQ(host.reported_seq(), nullptr) << "only one analysed round in run.rounds";
}

TEST(NormalHost, PortTableMacAndBlankLine) {
  const auto db = make_db(entry("Linux 5.3", k_linux));
  HostReport host = host_for(db);
  host.mac = std::array<std::uint8_t, 6>{0x02, 0x00, 0x0a, 0x63, 0x0a, 0x02};
  host.latency_s = 0.000079;
  host.status_reason = "arp-response";
  host.start_s = 1795755418;
  host.end_s = 1795755419;
  host.ports = {{Protocol::tcp, 22, PortState::closed, "ssh", "reset", 64},
                {Protocol::tcp, 80, PortState::open, "http", "syn-ack", 64},
                {Protocol::udp, 40125, PortState::closed, "", "port-unreach", 64}};
  const std::string text = normal_host(db, host, verbosity(2), host.end_s);
  EXPECT_EQ(text.substr(0, text.find("OS details")),
            "Nmap scan report for 10.99.10.2\n"
            "Host is up, received arp-response (0.000079s latency).\n"
            "Scanned at 2026-11-27 04:56:58 UTC for 1s\n"
            "\n"
            "PORT      STATE  SERVICE REASON\n"
            "22/tcp    closed ssh     reset ttl 64\n"
            "80/tcp    open   http    syn-ack ttl 64\n"
            "40125/udp closed unknown port-unreach ttl 64\n"
            "MAC Address: 02:00:0A:63:0A:02 (Unknown)\n"
            "Device type: general purpose\nRunning: Linux 5.X\nOS CPE: cpe:/o:linux:linux_kernel:5\n");
  EXPECT_EQ(text.substr(text.size() - 2), "\n\n");
  const std::string plain = normal_host(db, host, verbosity(0), host.end_s);
  EXPECT_NE(plain.find("Host is up (0.000079s latency).\n\nPORT      STATE  SERVICE\n22/tcp    closed ssh\n"),
            std::string::npos)
      << plain;
}

TEST(XmlHost, OsElementsInNmapsLayout) {
  const auto db = make_db(entry("Linux 5.3", k_linux + "Class Acme | embedded || WAP\n"));
  HostReport host = host_for(db);
  const std::string xml = xml_host(db, host, verbosity(0), 0);
  EXPECT_NE(xml.find("<os><portused state=\"open\" proto=\"tcp\" portid=\"80\"/>\n"
                     "<portused state=\"closed\" proto=\"tcp\" portid=\"22\"/>\n"
                     "<osmatch name=\"Linux 5.3\" accuracy=\"100\" line=\"4\">\n"
                     "<osclass type=\"general purpose\" vendor=\"Linux\" osfamily=\"Linux\" osgen=\"5.X\" "
                     "accuracy=\"100\"><cpe>cpe:/o:linux:linux_kernel:5</cpe></osclass>\n"
                     "<osclass type=\"WAP\" vendor=\"Acme\" osfamily=\"embedded\" accuracy=\"100\"></osclass>\n"
                     "</osmatch>\n</os>\n"),
            std::string::npos)
      << xml;
}

TEST(XmlEscape, EntitiesDoubleDashesAndControlCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("nmap --osscan-guess ---"), "nmap -&#45;osscan-guess -&#45;&#45;");
  EXPECT_EQ(xml_escape("A\nB\t\x7f"), "A&#xa;B&#x9;&#x7f;");
  EXPECT_EQ(xml_escape(""), "");
}

} // namespace
} // namespace stackprint::output
