// The emulated ISN clock read at other probe spacings than Nmap's 100 ms: Nmap scanning many hosts
// in one group sends a host's SEQ probes 300-500 ms or more apart, and a real stack's ISN generator
// and timestamp clock run on time, so SP/GCD/ISR/TS must read the reference's values at any spacing.

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "stackprint/database/expression.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/response_tests/hex.hpp"
#include "stackprint/response_tests/seq.hpp"
#include "support/installed_db.hpp"

namespace stackprint::emulation {
namespace {

using test_support::installed_db;

// The SEQ analysis of one train of six SEQ probes sent at `offsets_ms` (from a start time).
response_tests::SeqAnalysis seq_train(Responder& host, std::int64_t start_us, const std::array<double, 6>& offsets_ms,
                                      std::uint16_t port_base) {
  probes::ProbeContext ctx;
  ctx.source_address = 0x0A000001U;
  ctx.target_address = host.options().address;
  ctx.open_tcp_port = 80;
  ctx.tcp_port_base = port_base;
  ctx.tcp_seq_base = 7000U + port_base;
  response_tests::SeqInput input;
  for (int i = 0; i < 6; ++i) {
    const std::int64_t sent_us = start_us + static_cast<std::int64_t>(offsets_ms[static_cast<std::size_t>(i)] * 1000.0);
    const auto replies = host.respond(probes::build_probe(static_cast<probes::ProbeId>(i), ctx, {1, 50}),
                                      Timestamp{std::chrono::microseconds{sent_us}});
    response_tests::SeqSlot slot;
    slot.send_time_us = sent_us;
    if (!replies.empty() && replies[0].tcp() != nullptr) {
      const auto* tcp = replies[0].tcp();
      slot.reply = response_tests::SeqReply{tcp->sequence, replies[0].ip.id,
                                            response_tests::timestamp_option_value(tcp->options_raw)};
    }
    input.slots.push_back(slot);
  }
  return response_tests::analyze_seq(input);
}

bool accepts(const fingerprint::TestLine& seq, std::string_view attribute, const std::string& value) {
  const std::string* expr = seq.find(attribute);
  if (expr == nullptr) return true;
  return database::Expression::compile(*expr).matches(database::observe(value), database::Semantics::nmap_7_93);
}

struct Tally {
  int trains = 0;
  int isn_right = 0; // SP, GCD and ISR all accepted
  int ts_right = 0;
};

TEST(SeqSpacing, IsnAndTimestampsReadTheReferenceAtAnySpacing) {
  const auto* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto seq_test = db->find_test("SEQ");
  ASSERT_TRUE(seq_test.has_value());
  const std::array<std::pair<const char*, std::array<double, 6>>, 3> spacings{{
      {"100 ms", {0.0, 100.0, 200.0, 300.0, 400.0, 500.0}},
      {"400 ms", {0.0, 400.0, 800.0, 1200.0, 1600.0, 2000.0}},
      {"irregular", {0.0, 310.0, 720.5, 1050.2, 1499.9, 1830.0}},
  }};
  std::array<Tally, 3> tallies{};
  // Every 7th reference: a few hundred personalities of every kind, quick enough for a unit test.
  for (std::size_t ref = 0; ref < db->references().size(); ref += 7) {
    if (db->line_of(ref, *seq_test) == database::OsDb::k_no_line) continue;
    const fingerprint::TestLine seq = db->reference_test_line(ref, *seq_test);
    if (seq.find("SP") == nullptr || seq.find("ISR") == nullptr) continue;
    const auto personality = make_personality(*db, ref, 5);
    ASSERT_TRUE(personality.has_value());
    if (!personality->unsatisfied.empty()) continue; // inconsistent reference: no right answer to read
    for (std::size_t s = 0; s < spacings.size(); ++s) {
      Responder host(*personality, ResponderOptions{0x0AC80001U, {80}, 9});
      const auto analysis =
          seq_train(host, 1'700'000'000'000'000LL + 30'000'000, spacings[s].second, static_cast<std::uint16_t>(40000));
      Tally& t = tallies[s];
      ++t.trains;
      if (analysis.isn_stats && accepts(seq, "SP", response_tests::hex(analysis.isn_stats->sp)) &&
          accepts(seq, "GCD", response_tests::hex(analysis.isn_stats->gcd)) &&
          accepts(seq, "ISR", response_tests::hex(analysis.isn_stats->isr))) {
        ++t.isn_right;
      }
      if (seq.find("TS") == nullptr || (analysis.ts_value && accepts(seq, "TS", *analysis.ts_value))) ++t.ts_right;
    }
  }
  for (std::size_t s = 0; s < spacings.size(); ++s) {
    const Tally& t = tallies[s];
    std::printf("%-9s trains %d  SP/GCD/ISR right %d  TS right %d\n", spacings[s].first, t.trains, t.isn_right,
                t.ts_right);
    ASSERT_GT(t.trains, 100);
    // At Nmap's spacing every consistent reference reads right. Further apart, the clock-driven
    // plans read right; references left on per-probe steps (no clock-driven plan satisfies their
    // SP/GCD/ISR at the wider spacings too) do not yet: these floors guard what holds.
    const bool nmap_spacing = s == 0;
    EXPECT_GE(t.isn_right * 100, t.trains * (nmap_spacing ? 98 : 43)) << spacings[s].first;
    EXPECT_GE(t.ts_right * 100, t.trains * 94) << spacings[s].first;
  }
}

} // namespace
} // namespace stackprint::emulation
