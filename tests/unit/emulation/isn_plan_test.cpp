// The emulated ISN generator under the timing noise of a real measurement: SP is the spread of the
// ISN rates over the SEQ probes' send times, and whoever measures it adds noise (the moments the
// emulated host draws its ISNs are not exactly the probes' send times). A plan aimed at the centre
// of a tight SP range left it with ~50 us of noise (HP iLO 3 in the accuracy benchmark).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

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

std::optional<std::size_t> reference_at_line(const database::OsDb& db, int line) {
  for (std::size_t i = 0; i < db.references().size(); ++i) {
    if (db.references()[i].line == line) return i;
  }
  return std::nullopt;
}

// SP of `trials` SEQ series against the personality, each probe drawn by the emulated host
// `noise_us` (normal, seeded) away from its send time; the probes are sent exactly 100 ms apart.
std::vector<std::uint32_t> measured_sps(const Personality& personality, double noise_us, int trials) {
  Responder host(personality, ResponderOptions{0x0AC80001U, {80}, 3});
  std::mt19937_64 random(42);
  std::normal_distribution<double> noise(0.0, noise_us);
  std::vector<std::uint32_t> sps;
  for (int trial = 0; trial < trials; ++trial) {
    probes::ProbeContext ctx;
    ctx.source_address = 0x0A000001U;
    ctx.target_address = 0x0AC80001U;
    ctx.open_tcp_port = 80;
    ctx.tcp_port_base = static_cast<std::uint16_t>(40000 + trial % 100 * 20);
    ctx.tcp_seq_base = 1000U + static_cast<std::uint32_t>(trial) * 100U;
    response_tests::SeqInput input;
    const std::int64_t start_us = 1'700'000'000'000'000LL + std::int64_t{trial} * 10'000'000; // series 10 s apart
    for (int i = 0; i < 6; ++i) {
      const std::int64_t sent_us = start_us + i * 100'000;
      const auto drawn_us = sent_us + static_cast<std::int64_t>(std::llround(noise(random)));
      const auto replies = host.respond(probes::build_probe(static_cast<probes::ProbeId>(i), ctx, {1, 50}),
                                        Timestamp{std::chrono::microseconds{drawn_us}});
      response_tests::SeqSlot slot;
      slot.send_time_us = sent_us;
      if (!replies.empty() && replies[0].tcp() != nullptr) {
        slot.reply = response_tests::SeqReply{replies[0].tcp()->sequence, static_cast<std::uint16_t>(i + 1), 1000U};
      }
      input.slots.push_back(slot);
    }
    const auto analysis = response_tests::analyze_seq(input);
    if (analysis.isn_stats) sps.push_back(analysis.isn_stats->sp);
  }
  return sps;
}

TEST(IsnPlan, TightSpRangeSurvivesTheTimingNoiseOfAMeasurement) {
  const auto* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto ref = reference_at_line(*db, 36542); // HP iLO 3: SP=80-8A%GCD=1-6%ISR=DE-E8
  if (!ref) GTEST_SKIP() << "this nmap-os-db has no HP iLO 3 at line 36542";
  const auto personality = make_personality(*db, *ref, 11);
  ASSERT_TRUE(personality.has_value());
  ASSERT_TRUE(personality->unsatisfied.empty());
  const auto sp_range = database::Expression::compile("80-8A");
  for (const auto& [noise_us, at_least] : {std::pair{0.0, 195}, std::pair{15.0, 160}}) {
    const auto sps = measured_sps(*personality, noise_us, 200);
    ASSERT_EQ(sps.size(), 200U);
    int inside = 0;
    for (const std::uint32_t sp : sps) {
      inside += sp_range.matches(database::observe(response_tests::hex(sp)), database::Semantics::nmap_7_93) ? 1 : 0;
    }
    if (std::getenv("SEQ_DEBUG") != nullptr) {
      std::map<std::uint32_t, int> hist;
      for (const auto sp : sps) ++hist[sp];
      std::printf("noise %.0f: plan %s gcd %u rates %.6g %.6g %.6g %.6g %.6g avg %.6g:", noise_us,
                  personality->isn.time_scaled ? "time" : "fixed", personality->isn.gcd, personality->isn.rates[0],
                  personality->isn.rates[1], personality->isn.rates[2], personality->isn.rates[3],
                  personality->isn.rates[4], personality->isn.average_rate);
      for (const auto& [sp, n] : hist) std::printf(" %X:%d", sp, n);
      std::printf("\n");
    }
    EXPECT_GE(inside, at_least) << "noise " << noise_us << " us";
  }
}

} // namespace
} // namespace stackprint::emulation

namespace stackprint::emulation {
namespace {

// The cache must not change what a personality is: every reference drawn twice with a cache (the
// second draw a hit) gives the ISN plan and the list of unsatisfied attributes of a draw without.
TEST(IsnPlanCache, GivesThePlanTheSearchGivesForEveryReference) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  IsnPlanCache cache;
  const auto same_plan = [](const IsnPlan& a, const IsnPlan& b) {
    return a.gcd == b.gcd && a.steps == b.steps && a.time_scaled == b.time_scaled && a.rates == b.rates &&
           a.average_rate == b.average_rate;
  };
  std::size_t unsatisfied_seen = 0;
  for (std::size_t ref = 0; ref < db->references().size(); ref += 7) {
    const std::uint64_t seed = 500 + ref;
    const auto plain = make_personality(*db, ref, seed);
    ASSERT_TRUE(plain.has_value());
    for (int pass = 0; pass < 2; ++pass) {
      const auto cached = make_personality(*db, ref, seed + static_cast<std::uint64_t>(pass), &cache);
      ASSERT_TRUE(cached.has_value());
      EXPECT_TRUE(same_plan(plain->isn, cached->isn)) << db->references()[ref].name << " pass " << pass;
      const bool plain_unsatisfied =
          std::find(plain->unsatisfied.begin(), plain->unsatisfied.end(), "SEQ.SP/GCD/ISR") != plain->unsatisfied.end();
      const bool cached_unsatisfied = std::find(cached->unsatisfied.begin(), cached->unsatisfied.end(),
                                                "SEQ.SP/GCD/ISR") != cached->unsatisfied.end();
      EXPECT_EQ(plain_unsatisfied, cached_unsatisfied) << db->references()[ref].name << " pass " << pass;
      unsatisfied_seen += cached_unsatisfied ? 1 : 0;
    }
  }
  // References share SEQ expressions: far fewer plans than references were searched.
  EXPECT_LT(cache.size(), db->references().size() / 7);
  std::printf("[ figures  ] %zu plans cached for %zu references; %zu draws without a plan\n", cache.size(),
              db->references().size() / 7 + 1, unsatisfied_seen);
}

} // namespace
} // namespace stackprint::emulation
