#pragma once
// A Personality: concrete, deterministic behaviour drawn from one nmap-os-db reference fingerprint.
//
// Every attribute of the reference is an expression (`T=3B-45`, `W=FAF0|FE88`, `O1=|M5B4`). For each
// one we pick a concrete value that the expression accepts, preferring values accepted under both
// Nmap 7.93's quirky expr_match and the fixed semantics (docs/nmap-behaviour.md 2.3), and choosing among the allowed
// values with a seeded generator so the same (reference, seed) always gives the same personality.
// Values that interact are chosen together: TTLs agree with TG, option layouts agree with the TS
// class, and the ISN plan (GCD, ISR, SP) and TS clock are checked by running Nmap's own SEQ
// computation (response_tests::analyze_seq) on simulated replies before they are accepted.
//
// A Personality is plain data; emulation::Responder adds the state (counters, clocks).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/os_db.hpp"

namespace stackprint::emulation {

// A TCP option area built from an O/O1..O6 value such as "M5B4ST11NW7".
struct OptionLayout {
  std::vector<std::uint8_t> bytes;             // exact option bytes (MSS, WS values filled in)
  std::optional<std::size_t> timestamp_offset; // offset of the timestamp option's kind byte
  bool tsval_nonzero = true;                   // "T1x": TSval from the TS clock; "T0x": 0
  bool tsecr_nonzero = true;                   // "Tx1": echo the probe's TSval; "Tx0": 0
};

// Parses Nmap's option string (L N S M<hex> W<hex> T<0|1><0|1>). Errors: unknown letters, a
// missing or oversized number.
[[nodiscard]] Expected<OptionLayout> parse_option_string(std::string_view text);

// T1..T7 S test: what the reply's sequence number is relative to the probe.
enum class SeqRule : std::uint8_t { zero, probe_ack, probe_ack_plus_1, other };
// T1..T7 A test: what the reply's acknowledgment number is relative to the probe.
enum class AckRule : std::uint8_t { zero, probe_seq, probe_seq_plus_1, other };

// How one TCP probe (or a family of TCP packets) is answered.
struct TcpBehaviour {
  bool responds = false;
  bool dont_fragment = false;
  std::uint8_t ttl = 64;
  std::uint16_t window = 0;
  OptionLayout options;
  SeqRule seq = SeqRule::other;
  AckRule ack = AckRule::probe_seq_plus_1;
  std::uint8_t flags = 0;                // wire::k_tcp_* bits
  std::vector<std::uint8_t> rst_payload; // forged so that CRC-32 equals the reference RD
  std::uint8_t reserved = 0;             // Q contains R: non-zero reserved nibble
  std::uint16_t urgent_pointer = 0;      // Q contains U: non-zero urgent pointer without URG
};

// RIPCK: what the quoted IP checksum looks like.
enum class QuotedChecksum : std::uint8_t { good, zero, invalid };

// The ICMP port unreachable answering U1 (Appendix B).
struct UdpBehaviour {
  bool responds = false;
  bool dont_fragment = false;
  std::uint8_t ttl = 64;
  std::uint16_t total_length = 356;                 // IPL: outer IP total length
  std::uint32_t unused = 0;                         // UN: the "unused" ICMP word
  std::optional<std::uint16_t> quoted_total_length; // RIPL when not G
  std::optional<std::uint16_t> quoted_id;           // RID when not G
  QuotedChecksum quoted_checksum = QuotedChecksum::good;
  std::optional<std::uint16_t> quoted_udp_checksum; // RUCK when not G
  bool corrupt_data = false;                        // RUD=I
};

// The two echo replies (IE: DFI, T, CD).
struct EchoBehaviour {
  bool responds = false;
  bool dont_fragment_1 = false; // reply to IE1 (and to other echo requests with DF)
  bool dont_fragment_2 = false; // reply to IE2 (and to other echo requests without DF)
  std::uint8_t ttl = 64;
  // nullopt: echo the request's code; else this code.
  std::optional<std::uint8_t> code_1;
  std::optional<std::uint8_t> code_2;
};

// IP ID generator kinds (SEQ.TI / CI / II classes).
enum class IpIdKind : std::uint8_t {
  zero,              // Z
  random,            // RD: jumps of more than 20000 between any two packets
  random_increments, // RI: increments 1001..2999, never a multiple of 256
  broken_increments, // BI: +256 (a little-endian counter)
  increments,        // I: +1
  constant,          // a fixed value
};

struct IpIdPlan {
  IpIdKind kind = IpIdKind::increments;
  std::uint16_t constant = 0;
};

// The ISN generator, checked against SP, GCD and ISR. Within a SEQ series (Nmap's six probes,
// 100 ms apart) the ISN moves either by fixed planned steps (GCD exact whatever the jitter: counters
// that add a constant per connection), or by planned rates times the time that really passed
// between the probes (time-driven counters, whose SP stays small only if the steps track time).
// Between series it follows a clock at average_rate.
struct IsnPlan {
  std::uint32_t gcd = 1;                // every difference is a multiple of this (0: constant ISN)
  std::array<std::uint64_t, 5> steps{}; // fixed mode: ISN(SEQ i+1) - ISN(SEQ i), in units of gcd
  bool time_scaled = false;
  std::array<double, 5> rates{}; // time-scaled mode: ISN increase per second per step
  double average_rate = 0.0;     // ISN increase per second of the free-running clock
};

enum class TimestampKind : std::uint8_t { unsupported, zero, clock };
struct TimestampPlan {
  TimestampKind kind = TimestampKind::clock;
  double hz = 1000.0;
};

struct Personality {
  std::size_t reference = 0; // index into OsDb::references()
  std::string name;
  int line = 0;
  std::array<TcpBehaviour, 6> seq; // SEQ1..SEQ6 (T1's rules with W1..W6 / O1..O6)
  TcpBehaviour ecn;
  std::array<TcpBehaviour, 7> t; // T1..T7 (T1 == SEQ1's behaviour, used for generic SYNs)
  UdpBehaviour u1;
  EchoBehaviour ie;
  IsnPlan isn;
  TimestampPlan timestamps;
  IpIdPlan ti;                     // TCP replies from open ports
  IpIdPlan ci;                     // TCP replies from closed ports
  IpIdPlan ii;                     // ICMP replies
  bool shared_tcp_icmp_ids = true; // SS=S: ICMP replies draw from the TCP counter
  // The U1 reply quotes the probe with its TTL lowered by this much, so Nmap's computed initial TTL
  // (T) exceeds the sent TTL by as much: how references with T=100 are reproduced.
  std::uint8_t quoted_ttl_bias = 0;
  // Attributes whose expression no concrete value could satisfy (e.g. inconsistent references),
  // as "TEST.ATTR"; the personality still answers, with a best effort value.
  std::vector<std::string> unsatisfied;
};

// ISN plans already searched for, by the SEQ expressions (SP, GCD, ISR) they were searched for.
// The search runs Nmap's SEQ computation over hundreds of candidate plans (most of the ~0.8 ms a
// personality takes) and depends on those three expressions alone, while an emulator drawing a
// block of random references meets the same expressions again and again. Owned by the caller: one
// per emulator run (or none).
class IsnPlanCache {
public:
  struct Entry {
    IsnPlan plan;
    bool satisfied = true; // false: no plan met the expressions; `plan` is the best effort
  };
  [[nodiscard]] const Entry* find(const std::string& key) const {
    const auto it = m_entries.find(key);
    return it == m_entries.end() ? nullptr : &it->second;
  }
  void add(std::string key, Entry entry) { m_entries.emplace(std::move(key), entry); }
  [[nodiscard]] std::size_t size() const { return m_entries.size(); }

private:
  std::unordered_map<std::string, Entry> m_entries;
};

// Draws the personality of reference `reference` for `seed`; with a cache, an ISN plan already
// searched for the same SEQ expressions is taken from it (the result is the same either way).
// Errors: index out of range.
[[nodiscard]] Expected<Personality> make_personality(const database::OsDb& db, std::size_t reference,
                                                     std::uint64_t seed, IsnPlanCache* isn_plans = nullptr);

// Four bytes whose CRC-32 (base/crc32.hpp) is `target` (Nmap's RD test reads that CRC).
[[nodiscard]] std::array<std::uint8_t, 4> forge_crc32(std::uint32_t target);

} // namespace stackprint::emulation
