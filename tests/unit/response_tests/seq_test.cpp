#include "stackprint/response_tests/seq.hpp"

#include <gtest/gtest.h>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint::response_tests {
namespace {

constexpr std::int64_t k_epoch_us = 1764216000LL * 1000000; // 2025-11-27 04:00:00 UTC

struct Sample {
  std::uint32_t isn;
  std::uint16_t ip_id;
  std::optional<std::uint32_t> tsval;
};

// Six SEQ probes sent 100 ms apart (or at `times_us` offsets).
SeqInput make_input(const std::vector<std::optional<Sample>>& samples,
                    std::vector<std::int64_t> times_us = {0, 100000, 200000, 300000, 400000, 500000}) {
  SeqInput in;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    SeqSlot slot;
    slot.send_time_us = k_epoch_us + times_us.at(i);
    if (samples[i]) slot.reply = SeqReply{samples[i]->isn, samples[i]->ip_id, samples[i]->tsval};
    in.slots.push_back(slot);
  }
  return in;
}

TEST(SeqHelpers, ModDiffAndGcd) {
  EXPECT_EQ(mod_diff(0x20000, 0x15000), 0xB000u);
  EXPECT_EQ(mod_diff(0xC000, 0xFFFFFF00u), 0xC100u);
  EXPECT_EQ(mod_diff(0xFFFFFF00u, 0xC000), 0xC100u);
  EXPECT_EQ(mod_diff(0, 0x80000000u), 0x80000000u);
  EXPECT_EQ(mod_diff(5, 5), 0u);
  EXPECT_EQ(gcd_of({}), 1u);
  const std::vector<std::uint32_t> zeros = {0, 0, 0};
  EXPECT_EQ(gcd_of(zeros), 0u);
  const std::vector<std::uint32_t> mixed = {0, 64000, 128000};
  EXPECT_EQ(gcd_of(mixed), 64000u);
  const std::vector<std::uint32_t> coprime = {6, 10, 15};
  EXPECT_EQ(gcd_of(coprime), 1u);
}

TEST(Seq, ConstantIncrementGivesGcdIsrAndZeroSp) {
  std::vector<std::optional<Sample>> s;
  for (std::uint32_t i = 0; i < 6; ++i) s.push_back(Sample{1000 + 64000 * i, 7, 100 + i * 100});
  const auto r = analyze_seq(make_input(s));
  EXPECT_EQ(r.responses, 6u);
  ASSERT_TRUE(r.isn_stats);
  // rate 640000/s: ISR = (unsigned)(8 * log2(640000) + 0.5) = 154 = 0x9A.
  EXPECT_EQ(*r.isn_stats, (IsnStats{0, 64000, 154}));
}

TEST(Seq, RandomIsnsMatchAnIndependentComputation) {
  // Expected values from an independent model of makeTSeqFP (float rates, log(x)/log(2)).
  const std::vector<std::optional<Sample>> s = {Sample{0x1A2B3C4D, 1, 1}, Sample{0x9F00AA11, 2, 1},
                                                Sample{0x0BADBEEF, 3, 1}, Sample{0x77777777, 4, 1},
                                                Sample{0xDEADBEEF, 5, 1}, Sample{0x12345678, 6, 1}};
  const auto r = analyze_seq(make_input(s, {0, 100213, 200150, 300402, 400611, 500800}));
  ASSERT_TRUE(r.isn_stats);
  EXPECT_EQ(*r.isn_stats, (IsnStats{0x101, 0x1, 0x110}));
  EXPECT_STREQ(difficulty_words(r.isn_stats->sp), "Good luck!");
}

TEST(Seq, LargeGcdDividesTheRatesForSp) {
  // 5 responses (one missing slot), ISN steps multiples of 64000 -> GCD 64000 > 9: SP on rates/64000.
  const std::vector<std::optional<Sample>> s = {Sample{64000 * 5, 1, 1},  Sample{64000 * 9, 2, 1},
                                                Sample{64000 * 20, 3, 1}, Sample{64000 * 21, 4, 1},
                                                Sample{64000 * 40, 5, 1}, std::nullopt};
  const auto r = analyze_seq(make_input(s, {0, 100213, 200150, 300402, 400611, 500800}));
  EXPECT_EQ(r.responses, 5u);
  ASSERT_TRUE(r.isn_stats);
  EXPECT_EQ(*r.isn_stats, (IsnStats{0x33, 64000, 0xB3}));
}

TEST(Seq, ConstantIsnGivesZeros) {
  std::vector<std::optional<Sample>> s(6, Sample{0xABCDEF, 1, 1});
  const auto r = analyze_seq(make_input(s));
  ASSERT_TRUE(r.isn_stats);
  EXPECT_EQ(*r.isn_stats, (IsnStats{0, 0, 0}));
}

TEST(Seq, NeedsFourResponsesAndAShortScanDelay) {
  std::vector<std::optional<Sample>> s = {Sample{100, 1, 1}, Sample{200, 2, 1}, Sample{300, 3, 1},
                                          std::nullopt,      std::nullopt,      std::nullopt};
  EXPECT_FALSE(analyze_seq(make_input(s)).isn_stats);
  s[3] = Sample{400, 4, 1};
  EXPECT_TRUE(analyze_seq(make_input(s)).isn_stats);
  auto in = make_input(s);
  in.scan_delay_ms = 1000;
  EXPECT_TRUE(analyze_seq(in).isn_stats);
  in.scan_delay_ms = 1001;
  EXPECT_FALSE(analyze_seq(in).isn_stats);
}

TEST(Seq, IsnZeroCountsAsMissingButItsIpIdFeedsTi) {
  const std::vector<std::optional<Sample>> s = {Sample{100, 10, 5}, Sample{0, 11, 6},   Sample{300, 12, 7},
                                                std::nullopt,       Sample{500, 14, 9}, Sample{600, 15, 10}};
  const auto r = analyze_seq(make_input(s));
  EXPECT_EQ(r.responses, 4u);
  EXPECT_EQ(r.isns, (std::vector<std::uint32_t>{100, 300, 500, 600}));
  EXPECT_EQ(r.ip_ids, (std::vector<std::uint16_t>{10, 12, 14, 15}));
  EXPECT_EQ(r.tsvals, (std::vector<std::uint32_t>{5, 7, 9, 10}));
  EXPECT_EQ(r.ti_ip_ids, (std::vector<std::uint32_t>{10, 11, 12, 14, 15}));
  // Compaction keeps each sample's send time: 0, 200, 400, 500 ms.
  EXPECT_EQ(r.send_times_us,
            (std::vector<std::int64_t>{k_epoch_us, k_epoch_us + 200000, k_epoch_us + 400000, k_epoch_us + 500000}));
}

TEST(SeqTimestamps, UnsupportedAndZeroLastEventWins) {
  std::vector<std::optional<Sample>> s;
  for (std::uint32_t i = 0; i < 6; ++i) s.push_back(Sample{100 + i, 1, 1000 + 100 * i});
  s[1]->tsval = std::nullopt;
  s[4]->tsval = 0;
  auto in = make_input(s);
  auto r = analyze_seq(in);
  EXPECT_EQ(r.ts_class, TsSeqClass::zero); // slot 4 arrived after slot 1
  EXPECT_EQ(r.ts_value, "0");
  EXPECT_FALSE(r.lastboot_s);
  in.arrival_order = {0, 2, 3, 4, 5, 1};
  r = analyze_seq(in);
  EXPECT_EQ(r.ts_class, TsSeqClass::unsupported);
  EXPECT_EQ(r.ts_value, "U");
  EXPECT_STREQ(ts_class_words(r.ts_class), "none returned (unsupported)");
  // A reply with ISN 0 still sets the class.
  std::vector<std::optional<Sample>> t;
  for (std::uint32_t i = 0; i < 6; ++i) t.push_back(Sample{100 + i, 1, 1000 + 100 * i});
  t[2] = Sample{0, 1, std::nullopt};
  EXPECT_EQ(analyze_seq(make_input(t)).ts_value, "U");
}

SeqAnalysis with_ts_steps(std::uint32_t ts0, std::vector<std::uint32_t> steps) {
  std::vector<std::optional<Sample>> s;
  std::uint32_t ts = ts0;
  for (std::uint32_t i = 0; i < 6; ++i) {
    s.push_back(Sample{1000 + i, 1, ts});
    if (i < steps.size()) ts += steps[i];
  }
  return analyze_seq(make_input(s));
}

TEST(SeqTimestamps, ClassesValuesAndUptime) {
  // 1000 Hz: 100 ticks per 100 ms.
  auto r = with_ts_steps(5000000, {100, 100, 100, 100, 100});
  EXPECT_EQ(r.ts_class, TsSeqClass::hz1000);
  EXPECT_EQ(r.ts_value, "A");
  EXPECT_EQ(r.uptime_s, 5000);
  EXPECT_EQ(r.lastboot_s, 1764216000 - 5000);
  EXPECT_STREQ(ts_class_words(r.ts_class), "1000HZ");
  // 100 Hz.
  r = with_ts_steps(250000, {10, 10, 10, 10, 10});
  EXPECT_EQ(r.ts_class, TsSeqClass::hz100);
  EXPECT_EQ(r.ts_value, "7");
  EXPECT_EQ(r.uptime_s, 2500);
  // 2 Hz: steps 0,1,0,1,0 -> 4 Hz on average.
  r = with_ts_steps(1000, {0, 1, 0, 1, 0});
  EXPECT_EQ(r.ts_class, TsSeqClass::hz2);
  EXPECT_EQ(r.ts_value, "1");
  EXPECT_EQ(r.uptime_s, 500);
  // 200 Hz: class OTHER (uptime ts0 / 200), value 8.
  r = with_ts_steps(400000, {20, 20, 20, 20, 20});
  EXPECT_EQ(r.ts_class, TsSeqClass::other);
  EXPECT_EQ(r.ts_value, "8");
  EXPECT_EQ(r.uptime_s, 2000);
  // Exactly 150 Hz: class OTHER (150 is not < 150) but value 7 (<= 150).
  r = with_ts_steps(1500, {15, 15, 15, 15, 15});
  EXPECT_EQ(r.ts_class, TsSeqClass::other);
  EXPECT_EQ(r.ts_value, "7");
  // 350 Hz: value 8; 400 Hz: log2 -> 9.
  EXPECT_EQ(with_ts_steps(1, {35, 35, 35, 35, 35}).ts_value, "8");
  EXPECT_EQ(with_ts_steps(1, {40, 40, 40, 40, 40}).ts_value, "9");
  // 10 Hz: class OTHER, value round(log2(10)) = 3.
  EXPECT_EQ(with_ts_steps(1, {1, 1, 1, 1, 1}).ts_value, "3");
  // Per-connection random offsets: a huge apparent frequency, TS=21 as in Nmap's Linux output.
  EXPECT_EQ(with_ts_steps(2, {858993459, 858993459, 858993459, 858993459, 858993459}).ts_value, "21");
}

TEST(SeqTimestamps, ZeroFrequencyLeavesClassUnknownButSetsLastboot) {
  const auto r = with_ts_steps(777, {0, 0, 0, 0, 0});
  EXPECT_EQ(r.ts_class, TsSeqClass::unknown);
  EXPECT_FALSE(r.ts_value);
  EXPECT_EQ(r.uptime_s, 0);
  EXPECT_EQ(r.lastboot_s, 1764216000); // uptime 0 still sets lastboot to the first send time
  EXPECT_STREQ(ts_class_words(r.ts_class), "unknown class");
}

TEST(SeqTimestamps, UptimeOverTwoYearsIsIgnored) {
  // 2 Hz with TSval 200,000,000 claims 100,000,000 s > 63,072,000 s.
  const auto r = with_ts_steps(200000000, {0, 1, 0, 1, 0});
  EXPECT_EQ(r.ts_class, TsSeqClass::hz2);
  EXPECT_EQ(r.uptime_s, 0);
  EXPECT_EQ(r.lastboot_s, 1764216000);
  // Just under the limit is kept: 1000 Hz, 63,072,000 s.
  EXPECT_EQ(with_ts_steps(63072000u * 1000u % 4294967296u, {100, 100, 100, 100, 100}).uptime_s,
            static_cast<std::int64_t>((63072000ull * 1000ull % 4294967296ull) / 1000));
}

TEST(SeqTimestamps, NeedsTwoResponses) {
  std::vector<std::optional<Sample>> s(6);
  s[3] = Sample{5, 1, 1000};
  const auto r = analyze_seq(make_input(s));
  EXPECT_EQ(r.responses, 1u);
  EXPECT_EQ(r.ts_class, TsSeqClass::unknown);
  EXPECT_FALSE(r.lastboot_s);
  EXPECT_FALSE(r.ts_value);
}

TEST(SeqLine, LinuxLikeTarget) {
  SeqLineInput in;
  std::vector<std::optional<Sample>> s;
  // Linux: random ISNs, IP ID 0 on SYN/ACKs, TS offsets per connection.
  const std::uint32_t isns[] = {0x1A2B3C4D, 0x9F00AA11, 0x0BADBEEF, 0x77777777, 0xDEADBEEF, 0x12345678};
  for (std::uint32_t i = 0; i < 6; ++i)
    s.push_back(Sample{isns[i], 0, 2 + i * 858993459u}); // 1 + 5 * step would wrap to TSval 0
  in.seq = make_input(s, {0, 100213, 200150, 300402, 400611, 500800});
  in.closed_port_ip_ids = {0, 0, 0};
  in.echo_ip_ids = {0xF558, 0xF559};
  const auto r = make_seq_line(in);
  ASSERT_TRUE(r.line);
  EXPECT_EQ(fingerprint::format_test_line(*r.line), "SEQ(SP=101%GCD=1%ISR=110%TI=Z%CI=Z%II=I%TS=21)");
  EXPECT_EQ(r.ti, IpIdClass::zero);
}

TEST(SeqLine, SharedSequenceAndConstantValues) {
  SeqLineInput in;
  std::vector<std::optional<Sample>> s;
  for (std::uint32_t i = 0; i < 6; ++i)
    s.push_back(Sample{1000 + 64000 * i, static_cast<std::uint16_t>(117 + i), std::nullopt});
  in.seq = make_input(s);
  in.closed_port_ip_ids = {std::nullopt, 0x1234, 0x1234};
  in.echo_ip_ids = {123, 124};
  const auto r = make_seq_line(in);
  ASSERT_TRUE(r.line);
  EXPECT_EQ(fingerprint::format_test_line(*r.line), "SEQ(SP=0%GCD=FA00%ISR=9A%TI=I%CI=1234%II=I%SS=S%TS=U)");
}

TEST(SeqLine, LeftOutWhenNothingCouldBeComputed) {
  SeqLineInput in;
  in.seq = make_input({std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  in.closed_port_ip_ids = {5, std::nullopt, std::nullopt};
  in.echo_ip_ids = {std::nullopt, 9};
  EXPECT_FALSE(make_seq_line(in).line);
  // No open port (no SEQ probes) but CI and II known: SEQ(CI=Z%II=I) as in Nmap's noopen capture.
  in.closed_port_ip_ids = {0, 0, 0};
  in.echo_ip_ids = {7, 8};
  const auto r = make_seq_line(in);
  ASSERT_TRUE(r.line);
  EXPECT_EQ(fingerprint::format_test_line(*r.line), "SEQ(CI=Z%II=I)");
}

TEST(SeqWords, DifficultyBins) {
  EXPECT_STREQ(difficulty_words(0), "Trivial joke");
  EXPECT_STREQ(difficulty_words(2), "Trivial joke");
  EXPECT_STREQ(difficulty_words(3), "Easy");
  EXPECT_STREQ(difficulty_words(5), "Easy");
  EXPECT_STREQ(difficulty_words(6), "Medium");
  EXPECT_STREQ(difficulty_words(10), "Medium");
  EXPECT_STREQ(difficulty_words(11), "Formidable");
  EXPECT_STREQ(difficulty_words(12), "Worthy challenge");
  EXPECT_STREQ(difficulty_words(15), "Worthy challenge");
  EXPECT_STREQ(difficulty_words(16), "Good luck!");
  EXPECT_STREQ(difficulty_words(260), "Good luck!");
  EXPECT_STREQ(ts_class_words(TsSeqClass::zero), "zero timestamp");
  EXPECT_STREQ(ts_class_words(TsSeqClass::hz2), "2HZ");
  EXPECT_STREQ(ts_class_words(TsSeqClass::hz100), "100HZ");
  EXPECT_STREQ(ts_class_words(TsSeqClass::other), "other");
}

} // namespace
} // namespace stackprint::response_tests

namespace stackprint::response_tests {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(SeqTimestampOption, FoundLikeNmapsGettcpoptTs) {
  // Linux SYN/ACK: MSS, SACK permitted, TS 0x12345678/0x9ABCDEF0, NOP, WS.
  EXPECT_EQ(timestamp_option_value(
                Bytes{2, 4, 5, 0xB4, 4, 2, 8, 10, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 1, 3, 3, 10}),
            0x12345678u);
  EXPECT_EQ(timestamp_option_value(Bytes{1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 1}), 0u); // TSval 0 is a value
  EXPECT_EQ(timestamp_option_value(Bytes{}), std::nullopt);
  EXPECT_EQ(timestamp_option_value(Bytes{2, 4, 5, 0xB4}), std::nullopt);
}

TEST(SeqTimestampOption, EndOfListHidesALaterTimestamp) {
  // The O string of these bytes is "LT11", yet Nmap's TS test sees no timestamp: TS=U.
  EXPECT_EQ(timestamp_option_value(Bytes{0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1}), std::nullopt);
}

TEST(SeqTimestampOption, MalformedOptionsStopTheWalk) {
  EXPECT_EQ(timestamp_option_value(Bytes{30, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1}), std::nullopt);  // length < 2
  EXPECT_EQ(timestamp_option_value(Bytes{30, 20, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1}), std::nullopt); // too long
  EXPECT_EQ(timestamp_option_value(Bytes{30}), std::nullopt);                                    // no length
  EXPECT_EQ(timestamp_option_value(Bytes{8, 10, 0, 0, 0, 1, 0, 0, 0}), std::nullopt);            // truncated TS
  // Unknown options are skipped by length; a kind 8 of another length is skipped too.
  EXPECT_EQ(timestamp_option_value(Bytes{30, 3, 0xFF, 8, 6, 0, 0, 0, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0}), 7u);
}

} // namespace
} // namespace stackprint::response_tests
