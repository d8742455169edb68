// The one host-report builder of scan and replay, and reading a JSON host object back
// (output/json_input.hpp): a round trip through json_host keeps what the normal and XML writers
// show, and bad members give one error line naming them.

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/fingerprint/text.hpp"
#include "stackprint/output/host_report.hpp"
#include "stackprint/output/json_input.hpp"
#include "stackprint/output/json_output.hpp"
#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/xml_output.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::output {
namespace {

database::OsDb make_db() {
  auto db = database::parse_os_db("MatchPoints\nSEQ(A=80%B=20)\nT1(R=50)\n\n"
                                  "Fingerprint Alpha OS\nClass Alpha | Alpha | 1.X | general purpose\n"
                                  "SEQ(A=1%B=2)\nT1(R=Y)\n\n"
                                  "Fingerprint Beta OS\nClass Beta | Beta | 2.X | router\nSEQ(A=1%B=3)\nT1(R=Y)\n",
                                  "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

PortLine port(Protocol protocol, std::uint16_t number, PortState state) {
  return PortLine{protocol, number, state, "", "", std::nullopt};
}

OsHostFacts facts_with(std::vector<PortLine> ports) {
  OsHostFacts facts;
  facts.address = 0x0ad70005;
  facts.ports = std::move(ports);
  facts.start_s = 1000;
  facts.end_s = 1002;
  responses::RoundAnalysis round;
  round.fingerprint = *fingerprint::parse_fingerprint("SEQ(A=1%B=2)\nT1(R=Y)\n");
  round.seq.seq.responses = 6;
  round.seq.seq.isns = {1, 2, 3, 4, 5, 6};
  round.seq.seq.ip_ids = {7, 8, 9, 10, 11, 12};
  round.seq.seq.tsvals = {0, 0, 0, 0, 0, 0};
  round.seq.seq.isn_stats = response_tests::IsnStats{200, 1, 2};
  round.seq.seq.ts_class = response_tests::TsSeqClass::unsupported;
  round.seq.ti = response_tests::IpIdClass::incremental;
  facts.run.rounds.push_back(round);
  facts.run.merged = *fingerprint::parse_fingerprint(
      "SCAN(V=7.93%E=4%D=11/27%OT=22%CT=1%CU=40000%PV=Y%DS=1%DC=D%G=Y%M=020000%TM=1%P=x86_64-pc-linux-gnu)\n"
      "SEQ(A=1%B=2)\nT1(R=Y)\n");
  facts.run.scan = *fingerprint::parse_scan_line(*facts.run.merged.scan);
  facts.run.distance = 1;
  return facts;
}

TEST(OsResultsUnreliable, NeedsAnOpenAndAClosedOrUnfilteredTcpPort) {
  EXPECT_TRUE(os_results_unreliable({}));
  EXPECT_TRUE(os_results_unreliable({port(Protocol::tcp, 22, PortState::open)}));
  EXPECT_TRUE(os_results_unreliable({port(Protocol::tcp, 1, PortState::closed)}));
  EXPECT_TRUE(
      os_results_unreliable({port(Protocol::tcp, 22, PortState::open), port(Protocol::udp, 9, PortState::closed)}));
  EXPECT_TRUE(
      os_results_unreliable({port(Protocol::tcp, 22, PortState::open), port(Protocol::tcp, 1, PortState::filtered)}));
  EXPECT_FALSE(
      os_results_unreliable({port(Protocol::tcp, 22, PortState::open), port(Protocol::tcp, 1, PortState::closed)}));
  EXPECT_FALSE(
      os_results_unreliable({port(Protocol::tcp, 22, PortState::open), port(Protocol::tcp, 1, PortState::unfiltered)}));
}

TEST(BuildOsHostReport, MatchesEveryRoundAndSetsStatusAndReliability) {
  const database::OsDb db = make_db();
  scoring::Matcher matcher(db);
  HostReport host = build_os_host_report(facts_with({port(Protocol::tcp, 22, PortState::open)}), matcher, true);
  EXPECT_TRUE(host.up);
  EXPECT_TRUE(host.os_detection);
  EXPECT_TRUE(host.results_unreliable);
  EXPECT_EQ(host.status_reason, "user-set");
  ASSERT_EQ(host.round_matches.size(), 1U);
  ASSERT_FALSE(host.final_match().matches.empty());
  EXPECT_EQ(db.references()[host.final_match().matches[0].reference].name, "Alpha OS");
  EXPECT_TRUE(host.final_round.matched_perfectly);

  OsHostFacts direct =
      facts_with({port(Protocol::tcp, 22, PortState::open), port(Protocol::tcp, 1, PortState::closed)});
  direct.mac = std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 5};
  host = build_os_host_report(std::move(direct), matcher, true);
  EXPECT_FALSE(host.results_unreliable);
  EXPECT_EQ(host.status_reason, "arp-response");

  OsHostFacts given = facts_with({});
  given.status_reason = "syn-ack";
  EXPECT_EQ(build_os_host_report(std::move(given), matcher, true).status_reason, "syn-ack");
}

TEST(BuildDownHostReport, HasNoOsSection) {
  const HostReport host = build_down_host_report(0x0ad70009, 5, 7);
  EXPECT_FALSE(host.up);
  EXPECT_FALSE(host.os_detection);
  EXPECT_EQ(host.status_reason, "no-response");
  EXPECT_EQ(host.end_s, 7);
}

TEST(JsonHostReader, RoundTripKeepsTheNormalAndXmlReports) {
  const database::OsDb db = make_db();
  scoring::Matcher matcher(db);
  OsHostFacts facts = facts_with({port(Protocol::tcp, 22, PortState::open), port(Protocol::tcp, 1, PortState::closed)});
  facts.latency_s = 0.000079;
  facts.mac = std::array<std::uint8_t, 6>{2, 0, 0x0a, 0xd7, 0, 5};
  facts.run.silence.filtered_tests = {"T5"};
  facts.run.silence.evidence = "a reason";
  const HostReport host = build_os_host_report(std::move(facts), matcher, true);
  for (const int verbosity : {0, 2}) {
    OutputOptions options;
    options.verbosity = verbosity;
    const auto back = JsonHostReader(db).read(json_host(db, host, options, 1002));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(normal_host(db, back->report, options, back->now_s), normal_host(db, host, options, 1002));
    EXPECT_EQ(xml_host(db, back->report, options, back->now_s), xml_host(db, host, options, 1002));
  }
  const HostReport down = build_down_host_report(0x0ad70009, 5, 7);
  const auto back = JsonHostReader(db).read(json_host(db, down, {}, 7));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(normal_host(db, back->report, {}, 7), normal_host(db, down, {}, 7));
}

TEST(JsonHostReader, BadMembersGiveOneLineNamingThem) {
  const database::OsDb db = make_db();
  scoring::Matcher matcher(db);
  const HostReport host = build_os_host_report(facts_with({port(Protocol::tcp, 22, PortState::open)}), matcher, true);
  const nlohmann::ordered_json good = json_host(db, host, {}, 1002);
  const JsonHostReader reader(db);
  const auto error_of = [&reader](const nlohmann::ordered_json& object) {
    const auto read = reader.read(object);
    return read ? std::string("accepted") : read.error().message;
  };
  auto j = good;
  j["target"] = "10.0.0";
  EXPECT_EQ(error_of(j), "\"target\": not an IPv4 address");
  j = good;
  j["ports"][0]["port"] = 70000;
  EXPECT_EQ(error_of(j), "\"ports[0].port\": out of range");
  j = good;
  j["os_detection"]["matches"][0]["line"] = 9999;
  EXPECT_NE(error_of(j).find("\"os_detection.matches[0].line\": no reference at line 9999"), std::string::npos);
  j = good;
  j["os_detection"]["fingerprint"] = "SEQ(";
  EXPECT_EQ(error_of(j).rfind("\"os_detection.fingerprint\": ", 0), 0U) << error_of(j);
  j = good;
  j["sequence"].erase("isns");
  EXPECT_EQ(error_of(j), "\"sequence.isns\": missing");
  EXPECT_NE(error_of(nlohmann::ordered_json::array()), "accepted");
  for (const auto& [key, value] : good.items()) {
    j = good;
    j[key] = nlohmann::ordered_json::object({{"x", 1}});
    const std::string e = error_of(j);
    EXPECT_EQ(e.find('\n'), std::string::npos) << key;
  }
}

} // namespace
} // namespace stackprint::output
