#pragma once
// The SEQ line: SP, GCD, ISR (TCP ISN tests), TI, CI, II, SS (IP ID tests, see ip_id.hpp) and TS
// (TCP timestamp test), plus the numbers Nmap prints elsewhere (uptime, "TCP Sequence Prediction",
// XML tcpsequence/ipidsequence/tcptssequence). Exact computation of Nmap 7.93's makeTSeqFP
// (docs/nmap-behaviour.md 4.8), including its float/double mix and its log(x)/log(2.0) rounding.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/response_tests/ip_id.hpp"

namespace stackprint::response_tests {

// One SYN/ACK Nmap accepted for a SEQ probe (the responses layer applies Nmap's acceptance rules:
// SYN+ACK only, the first per slot, the duplicate-IP-ID drop of docs/nmap-behaviour.md 4.5).
struct SeqReply {
  std::uint32_t isn = 0; // TCP sequence number; 0 counts as "no sample" for SEQ
  std::uint16_t ip_id = 0;
  std::optional<std::uint32_t> tsval; // nullopt: the reply had no TCP timestamp option
};

// One SEQ probe (normally 6, in probe order).
struct SeqSlot {
  std::optional<SeqReply> reply;
  std::int64_t send_time_us = 0; // when the probe was sent, microseconds since the Unix epoch
};

struct SeqInput {
  std::vector<SeqSlot> slots;
  // Indexes of the slots that have a reply, in the order the replies arrived; only the TS class
  // ("last event wins") depends on it. Empty means slot order. Out-of-range or reply-less indexes
  // are ignored.
  std::vector<std::size_t> arrival_order;
  std::int64_t scan_delay_ms = 0; // --scan-delay; SP/GCD/ISR need <= 1000
};

// TCP timestamp sequence class (Nmap's TS_SEQ_*).
enum class TsSeqClass { unknown, zero, unsupported, hz2, hz100, hz1000, other };

// SEQ.SP, SEQ.GCD, SEQ.ISR as numbers (printed in hex; SP is also the decimal "Difficulty" index).
struct IsnStats {
  std::uint32_t sp = 0;
  std::uint32_t gcd = 0;
  std::uint32_t isr = 0;
  friend bool operator==(const IsnStats&, const IsnStats&) = default;
};

struct SeqAnalysis {
  // Samples after compaction (slots whose ISN is non-zero, packed to the front in slot order).
  std::size_t responses = 0;
  std::vector<std::uint32_t> isns;   // XML tcpsequence values (%X)
  std::vector<std::uint16_t> ip_ids; // XML ipidsequence values (%hX)
  std::vector<std::uint32_t> tsvals; // XML tcptssequence values (%X); 0 for a reply without TS
  std::vector<std::int64_t> send_times_us;
  // TI samples: IP IDs of every accepted SYN/ACK, ISN 0 included, in slot order.
  std::vector<std::uint32_t> ti_ip_ids;
  // SP/GCD/ISR, present only with >= 4 responses and scan delay <= 1000 ms.
  std::optional<IsnStats> isn_stats;
  TsSeqClass ts_class = TsSeqClass::unknown;
  double avg_ts_hz = 0.0;              // computed only when the class was unknown and responses >= 2
  std::optional<std::string> ts_value; // SEQ.TS, nullopt when left out
  std::int64_t uptime_s = 0;           // 0 when unknown or over 2 years
  // Nmap's lastboot, seconds since the epoch: set (even with uptime 0) when the TS class was
  // still unknown after the replies and responses >= 2; else nullopt (Nmap's 0, "unknown").
  std::optional<std::int64_t> lastboot_s;
};

// TSval of the reply's TCP timestamp option as Nmap's gettcpopt_ts finds it (the input of
// SeqReply::tsval): walk the option area; EOL (0) stops the walk, so a timestamp after EOL is NOT
// seen (although the O string shows it); NOP (1) is one byte; any other option needs a length
// byte >= 2 that fits in the remaining area, else the walk stops; kind 8 with length exactly 10 is
// the answer, kind 8 with another length is skipped like any option. nullopt: no timestamp (TS=U).
[[nodiscard]] std::optional<std::uint32_t> timestamp_option_value(std::span<const std::uint8_t> options);

// MOD_DIFF(a, b): the shorter way around the 32-bit circle, min((a-b) mod 2^32, (b-a) mod 2^32).
[[nodiscard]] std::uint32_t mod_diff(std::uint32_t a, std::uint32_t b);

// SEQ.GCD helper: gcd of all values; 1 for an empty list, 0 when all values are 0.
[[nodiscard]] std::uint32_t gcd_of(std::span<const std::uint32_t> values);

// The whole makeTSeqFP computation for SP, GCD, ISR and TS (see SeqAnalysis).
[[nodiscard]] SeqAnalysis analyze_seq(const SeqInput& input);

// SEQ.TS value from the class and the average frequency: "0" (zero), "U" (unsupported), nullopt
// (unknown); else 1 if hz <= 5.66, 7 if 70 < hz <= 150, 8 if 150 < hz <= 350, otherwise
// (unsigned)(0.5 + log2(hz)) in hex (1000 Hz -> "A").
[[nodiscard]] std::optional<std::string> ts_value(TsSeqClass cls, double avg_ts_hz);

// Everything of the SEQ line.
struct SeqLineInput {
  SeqInput seq;
  std::vector<std::optional<std::uint16_t>> closed_port_ip_ids; // IP IDs of the T5, T6, T7 replies
  std::vector<std::optional<std::uint16_t>> echo_ip_ids;        // IE #1, #2 replies, only if not retransmitted
  bool scanning_localhost = false;                              // the target is one of our own addresses
};

struct SeqLineResult {
  SeqAnalysis seq;
  IpIdClass ti = IpIdClass::unknown; // also the "IP ID Sequence Generation" class
  IpIdClass ci = IpIdClass::unknown;
  IpIdClass ii = IpIdClass::unknown;
  // SEQ(SP%GCD%ISR%TI%CI%II%SS%TS) with only the attributes that could be computed; nullopt when
  // none could (the SEQ line is then left out of the fingerprint).
  std::optional<fingerprint::TestLine> line;
};

[[nodiscard]] SeqLineResult make_seq_line(const SeqLineInput& input);

// "TCP Sequence Prediction: Difficulty=<SP decimal> (<words>)": "Trivial joke" (< 3), "Easy"
// (< 6), "Medium" (< 11), "Formidable" (< 12), "Worthy challenge" (< 16), "Good luck!".
// Nmap prints it (and XML tcpsequence) only when responses > 3.
[[nodiscard]] const char* difficulty_words(std::uint64_t sp_index);

// XML tcptssequence class: "zero timestamp", "2HZ", "100HZ", "1000HZ", "other",
// "none returned (unsupported)", "unknown class". Printed when responses > 2; its `values` are
// left out for the unsupported class.
[[nodiscard]] const char* ts_class_words(TsSeqClass cls);

} // namespace stackprint::response_tests
