// Item 7 of the OS section: SYN/ACKs of the reported SEQ train that were no samples (late or a
// retransmission) are said in the normal output and in JSON, and nothing is said when all were used.

#include <algorithm>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "stackprint/output/json_output.hpp"
#include "stackprint/output/os_section.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::output {
namespace {

constexpr const char* k_db = "MatchPoints\n"
                             "SEQ(TI=100%TS=20)\n"
                             "T1(R=100%DF=20)\n"
                             "\n"
                             "Fingerprint Stack That Answers\n"
                             "Class Acme | AcmeOS | 1.X | general purpose\n"
                             "SEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\n"
                             "\n";

database::OsDb make_db() {
  auto db = database::parse_os_db(k_db, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// A two-round host whose second round gives the SEQ data; in that round SEQ2 and SEQ5 came late
// and SEQ3 repeated an ISN (`late`, `retransmitted` as bit masks; the other slots answered).
HostReport host_with(const database::OsDb& db, std::uint8_t late, std::uint8_t retransmitted) {
  HostReport host;
  host.address = 0x0A630A02;
  responses::RoundAnalysis round;
  round.fingerprint.tests = {{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, {"T1", {{"R", "Y"}, {"DF", "Y"}}}};
  host.run.rounds = {round, round};
  host.run.scan.open_tcp_port = 80;
  host.run.scan.closed_tcp_port = 22;
  host.run.merged = round.fingerprint;
  host.run.merged.scan = fingerprint::to_test_line(host.run.scan);
  host.round_replies.resize(2);
  // The first round lost everything: it must not be the one reported.
  host.round_replies[0].seq_late = 0x3F;
  responses::RoundReplies& second = host.round_replies[1];
  for (std::size_t i = 0; i < 6; ++i) {
    const auto bit = static_cast<std::uint8_t>(1U << i);
    if (((late | retransmitted) & bit) == 0) second.seq[i] = responses::Reply{};
  }
  second.seq_late = late;
  second.seq_retransmitted = retransmitted;
  scoring::Matcher matcher(db);
  match_rounds(host, matcher, true);
  host.final_round.seq_round = 1;
  host.final_round.match_round = 1;
  return host;
}

TEST(SeqLeftOut, LateAndRetransmittedSlotsAreNamedWithTheSamplesLeft) {
  const auto db = make_db();
  const HostReport host = host_with(db, 0x12, 0x04); // SEQ2, SEQ5 late; SEQ3 repeated
  const SeqLeftOut left_out = seq_left_out(host);
  EXPECT_EQ(left_out.late, (std::vector<std::string>{"SEQ2", "SEQ5"}));
  EXPECT_EQ(left_out.retransmitted, (std::vector<std::string>{"SEQ3"}));
  EXPECT_EQ(left_out.samples, 3U);
  const std::string line = "SEQ samples left out: SEQ2 SEQ5 came after the probe timeout; SEQ3 repeated an ISN the "
                           "host had sent (a retransmission); SP, GCD, ISR and TS come from the other 3";
  EXPECT_EQ(seq_left_out_line(host), std::optional<std::string>(line));
  const OsSection section = build_os_section(db, host, {});
  EXPECT_NE(std::find(section.lines.begin(), section.lines.end(), line), section.lines.end());
  const auto json = json_host(db, host, {}, 0);
  ASSERT_TRUE(json["os_detection"].contains("seq_left_out"));
  EXPECT_EQ(json["os_detection"]["seq_left_out"]["late"], nlohmann::ordered_json({"SEQ2", "SEQ5"}));
  EXPECT_EQ(json["os_detection"]["seq_left_out"]["retransmitted"], nlohmann::ordered_json({"SEQ3"}));
  EXPECT_EQ(json["os_detection"]["seq_left_out"]["samples"], 3);
}

TEST(SeqLeftOut, OnlyLateSlotsSayNothingAboutRetransmissions) {
  const auto db = make_db();
  const HostReport host = host_with(db, 0x01, 0);
  EXPECT_EQ(seq_left_out_line(host),
            std::optional<std::string>(
                "SEQ samples left out: SEQ1 came after the probe timeout; SP, GCD, ISR and TS come from the other 5"));
}

TEST(SeqLeftOut, EverySynAckUsedNoLineNoJsonMember) {
  const auto db = make_db();
  const HostReport host = host_with(db, 0, 0);
  EXPECT_TRUE(seq_left_out(host).empty());
  EXPECT_FALSE(seq_left_out_line(host).has_value());
  for (const auto& line : build_os_section(db, host, {}).lines) {
    EXPECT_EQ(line.find("SEQ samples"), std::string::npos);
  }
  EXPECT_FALSE(json_host(db, host, {}, 0)["os_detection"].contains("seq_left_out"));
}

TEST(SeqLeftOut, RepliesNotKeptSayNothing) {
  const auto db = make_db();
  HostReport host = host_with(db, 0x12, 0x04);
  host.round_replies.clear();
  EXPECT_TRUE(seq_left_out(host).empty());
}

} // namespace
} // namespace stackprint::output
