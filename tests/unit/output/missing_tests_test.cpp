// The "missing tests" report of partial fingerprints in all three outputs (normal, XML, JSON).

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/output/json_output.hpp"
#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/os_section.hpp"
#include "stackprint/output/xml_output.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::output {
namespace {

constexpr const char* k_db = "MatchPoints\n"
                             "SEQ(TI=100%TS=20)\n"
                             "T1(R=100%DF=20)\n"
                             "T5(R=100%DF=20)\n"
                             "\n"
                             "Fingerprint Stack That Answers\n"
                             "Class Acme | AcmeOS | 1.X | general purpose\n"
                             "SEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\nT5(R=Y%DF=Y)\n"
                             "\n"
                             "Fingerprint Recorded Behind A Firewall\n"
                             "Class Other | OtherOS | 2.X | firewall\n"
                             "SEQ(TI=Z%TS=7)\nT1(R=Y%DF=Y)\nT5(R=N)\n"
                             "\n";

database::OsDb make_db() {
  auto db = database::parse_os_db(k_db, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// A one-round host whose T5 got no reply; `filtered`: the silence was blamed on a filter.
HostReport host_for(const database::OsDb& db, bool filtered, bool partial_match) {
  HostReport host;
  host.address = 0x0A630A02;
  responses::RoundAnalysis round;
  round.fingerprint.tests = {
      {"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, {"T1", {{"R", "Y"}, {"DF", "Y"}}}, {"T5", {{"R", "N"}}}};
  host.run.rounds.push_back(round);
  host.run.scan.open_tcp_port = 80;
  host.run.scan.closed_tcp_port = 22;
  host.run.merged = round.fingerprint;
  host.run.merged.scan = fingerprint::to_test_line(host.run.scan);
  host.run.silence.silent_tests = {"T5"};
  if (filtered) {
    host.run.silence.filtered_tests = {"T5"};
    host.run.silence.evidence = "the closed TCP port answered the port scan but never T5";
  }
  scoring::Matcher matcher(db);
  match_rounds(host, matcher, partial_match);
  return host;
}

const std::string k_line_partial =
    "Missing tests (filtered): T5; matched without them (the closed TCP port answered the port scan but never T5)";

TEST(MissingTests, NormalOutputSaysWhichTestsAfterTheOsLinesAndMatchesWithoutThem) {
  const auto db = make_db();
  const HostReport host = host_for(db, true, true);
  EXPECT_EQ(missing_tests_line(host), k_line_partial);
  const OsSection section = build_os_section(db, host, {});
  ASSERT_FALSE(section.lines.empty());
  EXPECT_EQ(section.lines.back(), k_line_partial);
  EXPECT_NE(std::find(section.lines.begin(), section.lines.end(), "OS details: Stack That Answers"),
            section.lines.end());
  const std::string text = normal_host(db, host, {}, 0);
  EXPECT_NE(text.find("OS details: Stack That Answers\n" + k_line_partial + "\n"), std::string::npos) << text;
}

TEST(MissingTests, NmapMatchingIsSaidToo) {
  const auto db = make_db();
  const HostReport host = host_for(db, true, false);
  ASSERT_TRUE(missing_tests_line(host));
  EXPECT_NE(missing_tests_line(host)->find("matched as R=N, as Nmap does"), std::string::npos);
  // Nmap's matching: the firewall's recording wins (T5's R=N matched).
  EXPECT_EQ(db.references()[host.final_match().matches.at(0).reference].name, "Recorded Behind A Firewall");
}

TEST(MissingTests, NothingFilteredNoLineNoHostscriptNoJsonMember) {
  const auto db = make_db();
  const HostReport host = host_for(db, false, true);
  EXPECT_FALSE(missing_tests_line(host));
  const OsSection section = build_os_section(db, host, {});
  for (const auto& line : section.lines) EXPECT_EQ(line.find("Missing tests"), std::string::npos) << line;
  EXPECT_EQ(xml_host(db, host, {}, 0).find("hostscript"), std::string::npos);
  // Absent lines (OPS, WIN, ...) are reported in JSON only.
  const auto json = json_host(db, host, {}, 0);
  ASSERT_TRUE(json.at("os_detection").contains("missing_tests"));
  EXPECT_TRUE(json.at("os_detection").at("missing_tests").at("filtered").empty());
  EXPECT_TRUE(json.at("os_detection").at("missing_tests").at("evidence").is_null());
  EXPECT_EQ(json.at("os_detection").at("missing_tests").at("absent").size(), 10U);
}

TEST(MissingTests, XmlHostscriptAfterTheOsElements) {
  const auto db = make_db();
  const HostReport host = host_for(db, true, true);
  const std::string xml = xml_host(db, host, {}, 0);
  const std::string expected =
      "<hostscript><script id=\"stackprint-missing-tests\" output=\"" + k_line_partial +
      "\"><table key=\"filtered\"><elem>T5</elem></table><elem key=\"matched_without_them\">true</elem>"
      "<elem key=\"evidence\">the closed TCP port answered the port scan but never T5</elem></script></hostscript>\n"
      "</host>\n";
  EXPECT_NE(xml.find(expected), std::string::npos) << xml;
  EXPECT_LT(xml.find("</os>"), xml.find("<hostscript>"));
}

TEST(MissingTests, JsonMember) {
  const auto db = make_db();
  const auto json = json_host(db, host_for(db, true, true), {}, 0);
  const auto& missing = json.at("os_detection").at("missing_tests");
  EXPECT_EQ(missing.at("filtered"), nlohmann::json::array({"T5"}));
  EXPECT_EQ(missing.at("evidence"), "the closed TCP port answered the port scan but never T5");
  EXPECT_EQ(missing.at("matched_without_filtered"), true);
  const auto nmap_json = json_host(db, host_for(db, true, false), {}, 0);
  EXPECT_EQ(nmap_json.at("os_detection").at("missing_tests").at("matched_without_filtered"), false);
}

} // namespace
} // namespace stackprint::output
