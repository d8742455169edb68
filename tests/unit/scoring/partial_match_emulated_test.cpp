// Partial matching measured without a network: a sample of nmap-os-db references is emulated
// (emulation::Responder) behind the emulator's firewall filters, scanned in memory with Nmap's
// probes, and matched both as Nmap does and with the filtered tests left out. The port scan's
// evidence is what the emulator shows a port scan: the closed port resets a SYN unless the
// reference says T5(R=N). Judged as tests/lab/emulate_judge.py judges lab runs: the host is
// identified when the first reported match is the reference (or has its name or test values, or
// the reference is among the reported perfect matches); its OS class is right when the first
// reported match has the reference's first Class (vendor, family, generation).

#include <bitset>
#include <cstdio>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/emulation/impairments.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/emulation/self_check.hpp"
#include "stackprint/responses/probe_silence.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/scoring/partial_match.hpp"
#include "support/installed_db.hpp"

namespace stackprint::scoring {
namespace {

using test_support::installed_db;

struct Tally {
  std::size_t hosts = 0;
  std::size_t identified = 0;
  std::size_t right_class = 0;
  [[nodiscard]] double share() const { return hosts == 0 ? 0.0 : static_cast<double>(identified) / hosts; }
  [[nodiscard]] double class_share() const { return hosts == 0 ? 0.0 : static_cast<double>(right_class) / hosts; }
};

struct Outcome {
  Tally nmap;
  Tally partial;
  std::size_t filter_detected = 0;
  std::size_t results_differ = 0; // hosts whose partial MatchResult differs from Nmap's
};

std::string first_class(const database::OsDb& db, std::size_t ref) {
  const auto& classes = db.references()[ref].classes;
  if (classes.empty()) return {};
  const auto& c = classes.front();
  return c.vendor + "|" + c.family + "|" + c.generation.value_or("");
}

void judge(const database::OsDb& db, std::size_t ref, const MatchResult& result, Tally& tally) {
  ++tally.hosts;
  const OsReport report = build_os_report(db, result, {});
  if (report.xml_matches.empty()) return;
  const std::size_t top = result.matches[report.xml_matches.front()].reference;
  bool identified =
      top == ref || emulation::same_test_values(db, top, ref) || db.references()[top].name == db.references()[ref].name;
  for (const std::size_t i : report.xml_matches) {
    identified = identified || (result.matches[i].reference == ref && result.matches[i].accuracy == 1.0);
  }
  tally.identified += identified ? 1 : 0;
  tally.right_class += first_class(db, top) == first_class(db, ref) ? 1 : 0;
}

Outcome run_condition(const database::OsDb& db, const char* filter, std::size_t step) {
  std::bitset<probes::k_probe_count> dropped;
  if (filter != nullptr) {
    const auto parsed = emulation::parse_probe_filter(filter);
    EXPECT_TRUE(parsed);
    if (parsed) dropped = *parsed;
  }
  Matcher matcher(db);
  const auto t5 = db.find_test("T5");
  Outcome out;
  for (std::size_t ref = 0; ref < db.references().size(); ref += step) {
    const std::uint64_t seed = 4242 + ref;
    auto personality = emulation::make_personality(db, ref, seed);
    if (!personality) continue;
    emulation::Responder responder(*personality, {0x0ACB0001U, {22, 80}, seed});
    const auto round = emulation::scan_emulated_round(
        responder, Timestamp{std::chrono::seconds(1'800'000'000 + static_cast<std::int64_t>(ref))}, seed, dropped);
    const fingerprint::TestLine t5_line = db.reference_test_line(ref, *t5);
    responses::PortScanEvidence evidence;
    evidence.closed_tcp_port_answered = !(t5_line.find("R") != nullptr && *t5_line.find("R") == "N");
    const responses::SilenceVerdict verdict = responses::judge_silences({&round.replies}, evidence);
    out.filter_detected += verdict.filtered() ? 1 : 0;
    const MatchResult nmap = matcher.match(round.fingerprint);
    const MatchResult partial = match_present_tests(matcher, round.fingerprint, verdict.filtered_tests);
    out.results_differ += nmap == partial ? 0 : 1;
    judge(db, ref, nmap, out.nmap);
    judge(db, ref, partial, out.partial);
  }
  std::printf("[ figures  ] filter %-12s hosts %zu, filter detected %zu | nmap: reference %.1f%%, class %.1f%% | "
              "partial: reference %.1f%%, class %.1f%%\n",
              filter == nullptr ? "none" : filter, out.nmap.hosts, out.filter_detected, 100 * out.nmap.share(),
              100 * out.nmap.class_share(), 100 * out.partial.share(), 100 * out.partial.class_share());
  return out;
}

constexpr std::size_t k_step = 23; // 247 of the 5,678 references

TEST(PartialMatchEmulated, WithoutAFilterTheMatchIsNmapsForEveryHost) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const Outcome o = run_condition(*db, nullptr, k_step);
  EXPECT_EQ(o.filter_detected, 0U);
  EXPECT_EQ(o.results_differ, 0U);
  EXPECT_GE(o.nmap.share(), 0.95);
}

TEST(PartialMatchEmulated, IcmpOnlyFiltersLeaveNoEvidenceAndNmapsMatch) {
  // The emulator's U1 and IE filters drop every datagram and echo request, the port scan's too, so
  // nothing contradicts the silence; Nmap's match is kept (and does well: a reference that answered
  // U1/IE has no R attribute there, so R=N costs it nothing).
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  for (const char* filter : {"U1", "IE"}) {
    const Outcome o = run_condition(*db, filter, k_step * 2);
    EXPECT_EQ(o.filter_detected, 0U) << filter;
    EXPECT_EQ(o.results_differ, 0U) << filter;
  }
}

TEST(PartialMatchEmulated, BehindTheTcpFilterTheClassIsRightFarMoreOftenThanWithNmapsMatching) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const Outcome o = run_condition(*db, "T2-T7", k_step);
  EXPECT_GE(o.filter_detected, o.nmap.hosts * 95 / 100);
  EXPECT_GE(o.partial.class_share(), 0.80);
  EXPECT_GE(o.partial.class_share(), o.nmap.class_share() + 0.30);
  EXPECT_GE(o.partial.share(), 0.90);
}

TEST(PartialMatchEmulated, BehindTheFullFirewallTheClassIsRightFarMoreOftenThanWithNmapsMatching) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const Outcome o = run_condition(*db, "T2-T7,U1,IE", k_step);
  EXPECT_GE(o.partial.class_share(), 0.70);
  EXPECT_GE(o.partial.class_share(), o.nmap.class_share() + 0.30);
  EXPECT_GE(o.partial.share(), 0.85);
}

} // namespace
} // namespace stackprint::scoring
