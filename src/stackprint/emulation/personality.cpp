#include "stackprint/emulation/personality.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "stackprint/base/crc32.hpp"
#include "stackprint/base/hex.hpp"
#include "stackprint/base/ttl_guess.hpp"
#include "stackprint/database/expression.hpp"
#include "stackprint/emulation/generators.hpp"
#include "stackprint/response_tests/hex.hpp"
#include "stackprint/response_tests/seq.hpp"
#include "stackprint/wire/tcp_segment.hpp"

namespace stackprint::emulation {

using database::Expression;
using database::Semantics;
using response_tests::hex;

namespace {

bool is_hex_digit(char c) { return hex_digit_value(c) >= 0; }

// Whole-string hex number (1..8 digits), else nullopt.
std::optional<std::uint32_t> parse_hex(std::string_view text) {
  const auto value = stackprint::parse_hex(text, 8);
  return value ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*value)) : std::nullopt;
}

} // namespace

Expected<OptionLayout> parse_option_string(std::string_view text) {
  OptionLayout out;
  std::size_t i = 0;
  auto read_number = [&](std::uint32_t limit) -> std::optional<std::uint32_t> {
    const std::size_t start = i;
    while (i < text.size() && is_hex_digit(text[i])) ++i;
    const auto v = parse_hex(text.substr(start, i - start));
    if (!v || *v > limit) return std::nullopt;
    return v;
  };
  while (i < text.size()) {
    const char c = text[i++];
    switch (c) {
    case 'L': out.bytes.push_back(wire::k_tcp_option_eol); break;
    case 'N': out.bytes.push_back(wire::k_tcp_option_nop); break;
    case 'S': out.bytes.insert(out.bytes.end(), {wire::k_tcp_option_sack_permitted, 2}); break;
    case 'M': {
      const auto v = read_number(0xFFFF);
      if (!v) return fail(fmt::format("option string '{}': bad MSS value", text));
      out.bytes.insert(out.bytes.end(), {wire::k_tcp_option_mss, 4, static_cast<std::uint8_t>(*v >> 8U),
                                         static_cast<std::uint8_t>(*v & 0xFFU)});
      break;
    }
    case 'W': {
      const auto v = read_number(0xFF);
      if (!v) return fail(fmt::format("option string '{}': bad window scale", text));
      out.bytes.insert(out.bytes.end(), {wire::k_tcp_option_window_scale, 3, static_cast<std::uint8_t>(*v)});
      break;
    }
    case 'T': {
      if (i + 2 > text.size() || (text[i] != '0' && text[i] != '1') || (text[i + 1] != '0' && text[i + 1] != '1')) {
        return fail(fmt::format("option string '{}': bad timestamp flags", text));
      }
      out.timestamp_offset = out.bytes.size();
      out.tsval_nonzero = text[i] == '1';
      out.tsecr_nonzero = text[i + 1] == '1';
      i += 2;
      out.bytes.insert(out.bytes.end(), {wire::k_tcp_option_timestamp, 10, 0, 0, 0, 0, 0, 0, 0, 0});
      break;
    }
    default: return fail(fmt::format("option string '{}': unknown option letter '{}'", text, c));
    }
  }
  if (out.bytes.size() > 40) return fail(fmt::format("option string '{}': more than 40 bytes", text));
  return out;
}

std::array<std::uint8_t, 4> forge_crc32(std::uint32_t target) {
  // CRC-32 of a fixed-length message is affine in the message bits: crc(x) = M x ^ crc(0). Solve
  // M x = target ^ crc(0) over GF(2) by Gaussian elimination on the 32 unit vectors.
  auto crc_of = [](std::uint32_t x) {
    const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(x >> 8U),
                                        static_cast<std::uint8_t>(x >> 16U), static_cast<std::uint8_t>(x >> 24U)};
    return crc32(b);
  };
  const std::uint32_t base = crc_of(0);
  // Rows: (column image, input bits producing it).
  std::array<std::pair<std::uint32_t, std::uint32_t>, 32> basis{};
  for (unsigned j = 0; j < 32; ++j) basis[j] = {crc_of(1U << j) ^ base, 1U << j};
  // Reduce to a basis indexed by leading bit.
  std::array<std::pair<std::uint32_t, std::uint32_t>, 32> by_bit{};
  std::array<bool, 32> used{};
  for (auto [image, input] : basis) {
    for (int bit = 31; bit >= 0 && image != 0; --bit) {
      if (!(image >> static_cast<unsigned>(bit) & 1U)) continue;
      if (!used[static_cast<std::size_t>(bit)]) {
        used[static_cast<std::size_t>(bit)] = true;
        by_bit[static_cast<std::size_t>(bit)] = {image, input};
        break;
      }
      image ^= by_bit[static_cast<std::size_t>(bit)].first;
      input ^= by_bit[static_cast<std::size_t>(bit)].second;
    }
  }
  std::uint32_t want = target ^ base;
  std::uint32_t x = 0;
  for (int bit = 31; bit >= 0; --bit) {
    if ((want >> static_cast<unsigned>(bit) & 1U) && used[static_cast<std::size_t>(bit)]) {
      want ^= by_bit[static_cast<std::size_t>(bit)].first;
      x ^= by_bit[static_cast<std::size_t>(bit)].second;
    }
  }
  return {static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(x >> 8U), static_cast<std::uint8_t>(x >> 16U),
          static_cast<std::uint8_t>(x >> 24U)};
}

namespace {

struct Candidates {
  std::vector<std::string> both;     // accepted by 7.93 and by the fixed semantics
  std::vector<std::string> only_793; // accepted by 7.93 only
};

// Concrete values an expression might accept, then filtered by what it really accepts.
// `rng` picks the inner value of wide ranges.
Candidates candidates_for(std::string_view text, SplitMix& rng) {
  const Expression e = Expression::compile(text);
  std::vector<std::string> raw;
  for (const auto& alt : e.alternatives()) {
    switch (alt.fixed) {
    case database::Alternative::FixedMode::literal: raw.push_back(alt.literal); break;
    case database::Alternative::FixedMode::range: {
      const std::uint64_t lo = alt.lo;
      const std::uint64_t hi = std::max<std::uint64_t>(alt.hi, lo);
      const std::uint64_t width = hi - lo;
      raw.push_back(hex(lo + width / 2));
      raw.push_back(hex(lo + width / 4 + rng.below(width / 2 + 1)));
      raw.push_back(hex(lo));
      raw.push_back(hex(hi));
      break;
    }
    case database::Alternative::FixedMode::less:
      if (alt.lo > 0) raw.push_back(hex(alt.lo - 1U));
      raw.emplace_back("0");
      break;
    case database::Alternative::FixedMode::greater:
      if (alt.lo < 0xFFFFFFFFU) raw.push_back(hex(std::uint64_t{alt.lo} + 1U));
      break;
    }
  }
  Candidates out;
  for (const std::string& c : raw) {
    const auto obs = database::observe(c);
    const bool m793 = e.matches(obs, Semantics::nmap_7_93);
    const bool mfix = e.matches(obs, Semantics::fixed);
    auto& list = (m793 && mfix) ? out.both : out.only_793;
    if (!m793) continue;
    if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
  }
  return out;
}

// Ordered numeric candidates for the planner's search: for each range, the value at `anchor` of the
// way from its low end first (0.5: the centre), then outwards.
std::vector<std::uint32_t> numeric_candidates(std::string_view text, std::size_t limit, double anchor = 0.5) {
  const Expression e = Expression::compile(text);
  std::vector<std::uint32_t> raw;
  for (const auto& alt : e.alternatives()) {
    switch (alt.fixed) {
    case database::Alternative::FixedMode::literal:
      if (const auto v = parse_hex(alt.literal)) raw.push_back(*v);
      break;
    case database::Alternative::FixedMode::range: {
      const std::int64_t lo = alt.lo;
      const std::int64_t hi = std::max<std::int64_t>(alt.hi, lo);
      const auto mid = lo + static_cast<std::int64_t>(static_cast<double>(hi - lo) * anchor);
      for (std::int64_t d = 0; (mid + d <= hi || mid - d >= lo) && raw.size() < 4 * limit; ++d) {
        if (mid + d <= hi) raw.push_back(static_cast<std::uint32_t>(mid + d));
        if (d > 0 && mid - d >= lo) raw.push_back(static_cast<std::uint32_t>(mid - d));
      }
      break;
    }
    case database::Alternative::FixedMode::less:
      if (alt.lo > 0) raw.push_back(alt.lo - 1U);
      break;
    case database::Alternative::FixedMode::greater:
      if (alt.lo < 0x7FFFFFFFU) raw.push_back(alt.lo + 1U);
      break;
    }
  }
  std::vector<std::uint32_t> both;
  std::vector<std::uint32_t> only;
  for (const std::uint32_t v : raw) {
    const std::string s = hex(v);
    const auto obs = database::observe(s);
    if (!e.matches(obs, Semantics::nmap_7_93)) continue;
    auto& list = e.matches(obs, Semantics::fixed) ? both : only;
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
  }
  both.insert(both.end(), only.begin(), only.end());
  if (both.size() > limit) both.resize(limit);
  return both;
}

bool expression_accepts(std::string_view expression, const std::string& value) {
  const Expression e = Expression::compile(expression);
  const auto obs = database::observe(value);
  return e.matches(obs, Semantics::nmap_7_93);
}

// Reads the reference's lines and picks values.
class Chooser {
public:
  Chooser(const database::OsDb& db, std::size_t reference, std::uint64_t seed, std::vector<std::string>& unsatisfied)
      : m_seed(seed), m_unsatisfied(unsatisfied) {
    const auto test_count = static_cast<std::uint16_t>(db.tests().size()); // at most 255 (os_db)
    for (std::uint16_t t = 0; t < test_count; ++t) {
      if (db.line_of(reference, t) == database::OsDb::k_no_line) continue;
      fingerprint::TestLine line = db.reference_test_line(reference, t);
      m_lines.emplace(line.name, std::move(line));
    }
  }

  [[nodiscard]] bool has_test(const std::string& test) const { return m_lines.count(test) != 0; }

  [[nodiscard]] const std::string* expression(const std::string& test, std::string_view attribute) const {
    const auto it = m_lines.find(test);
    return it == m_lines.end() ? nullptr : it->second.find(attribute);
  }

  // A value for test.attribute accepted by its expression (and by `prefer` when possible); nullopt
  // when the reference lacks the attribute.
  std::optional<std::string> pick(const std::string& test, std::string_view attribute,
                                  const std::function<bool(const std::string&)>& prefer = {}) {
    const std::string* expr = expression(test, attribute);
    if (expr == nullptr) return std::nullopt;
    SplitMix rng(mix_seed(m_seed, test + "." + std::string(attribute)));
    const Candidates c = candidates_for(*expr, rng);
    auto choose_from = [&](const std::vector<std::string>& list) -> std::optional<std::string> {
      std::vector<std::string> ok;
      for (const auto& v : list) {
        if (!prefer || prefer(v)) ok.push_back(v);
      }
      if (ok.empty()) return std::nullopt;
      return ok[rng.below(ok.size())];
    };
    if (auto v = choose_from(c.both)) return v;
    if (auto v = choose_from(c.only_793)) return v;
    if (prefer) {
      // The preference cannot be met (an inconsistent reference): keep the expression.
      if (!c.both.empty()) return c.both[rng.below(c.both.size())];
      if (!c.only_793.empty()) return c.only_793[rng.below(c.only_793.size())];
    }
    m_unsatisfied.push_back(test + "." + std::string(attribute));
    return *expr;
  }

  void unsatisfied(const std::string& what) { m_unsatisfied.push_back(what); }
  [[nodiscard]] std::size_t unsatisfied_count() const { return m_unsatisfied.size(); }
  void set_ttl_bias(std::uint32_t bias) { m_ttl_bias = bias; }
  [[nodiscard]] std::uint32_t ttl_bias() const { return m_ttl_bias; }
  [[nodiscard]] std::uint64_t seed() const { return m_seed; }

private:
  std::uint64_t m_seed;
  std::vector<std::string>& m_unsatisfied;
  std::map<std::string, fingerprint::TestLine, std::less<>> m_lines;
  std::uint32_t m_ttl_bias = 0;
};

std::uint32_t hex_or(const std::optional<std::string>& v, std::uint32_t fallback) {
  if (!v) return fallback;
  const auto n = parse_hex(*v);
  return n ? *n : fallback;
}

// The initial TTL a test's T/TG asks for. It may exceed 255 (a few references say T=100: their
// replies looked one hop closer than the U1 quote said); make_personality turns that into a bias.
std::uint32_t choose_ttl(Chooser& c, const std::string& test) {
  const std::string* t_expr = c.expression(test, "T");
  const auto tg = c.pick(test, "TG");
  const std::optional<std::uint32_t> tg_value = tg ? parse_hex(*tg) : std::nullopt;
  if (t_expr != nullptr) {
    // The TG value itself when T accepts it (the common case: T=3B-45, TG=40), else a T value
    // whose initial-TTL guess agrees with TG.
    if (tg_value && expression_accepts(*t_expr, *tg)) return std::clamp<std::uint32_t>(*tg_value, 1, 255);
    const auto t = c.pick(test, "T", [&](const std::string& v) {
      const auto n = parse_hex(v);
      return n && *n >= 1 && *n <= 0x1FF &&
             (!tg_value || *n > 255 || static_cast<std::uint32_t>(initial_ttl_guess(*n)) == *tg_value);
    });
    return std::clamp<std::uint32_t>(hex_or(t, 64), 1, 0x1FF);
  }
  if (tg_value) return std::clamp<std::uint32_t>(*tg_value, 1, 255);
  return 64;
}

// The TTL to send for a desired initial TTL, given the U1 quote bias (Personality::quoted_ttl_bias).
std::uint8_t narrow_ttl(std::uint32_t desired, const Chooser& c) {
  const std::uint32_t bias = c.ttl_bias();
  return static_cast<std::uint8_t>(std::clamp<std::uint32_t>(desired > bias ? desired - bias : 1, 1, 255));
}

std::uint8_t flags_from_letters(std::string_view letters) {
  std::uint8_t f = 0;
  for (const char c : letters) {
    switch (c) {
    case 'E': f |= wire::k_tcp_ece; break;
    case 'U': f |= wire::k_tcp_urg; break;
    case 'A': f |= wire::k_tcp_ack; break;
    case 'P': f |= wire::k_tcp_psh; break;
    case 'R': f |= wire::k_tcp_rst; break;
    case 'S': f |= wire::k_tcp_syn; break;
    case 'F': f |= wire::k_tcp_fin; break;
    default: break;
    }
  }
  return f;
}

bool valid_flag_letters(const std::string& v) {
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return std::string_view("EUAPRSF").find(c) != std::string_view::npos; });
}

bool valid_option_string(const std::string& v) { return parse_option_string(v).has_value(); }

// `test_has_r`: the reference says whether it answers at all (R=Y/N); without R (U1, IE) it does.
bool responds(Chooser& c, const std::string& test) {
  if (!c.has_test(test)) return false;
  const auto r = c.pick(test, "R", [](const std::string& v) { return v == "Y" || v == "N"; });
  return !r || *r != "N";
}

OptionLayout choose_options(Chooser& c, const std::string& test, const std::string& attribute,
                            const std::function<bool(const std::string&)>& prefer) {
  const auto o =
      c.pick(test, attribute, [&](const std::string& v) { return valid_option_string(v) && (!prefer || prefer(v)); });
  if (!o) return {};
  auto layout = parse_option_string(*o);
  if (!layout) {
    c.unsatisfied(test + "." + attribute);
    return {};
  }
  return *layout;
}

// S, A, F, RD, Q, DF, T of a T1..T7-style line (W and O handled by the caller).
void choose_tcp_rules(Chooser& c, const std::string& test, TcpBehaviour& b) {
  b.responds = responds(c, test);
  b.dont_fragment = c.pick(test, "DF", [](const std::string& v) { return v == "Y" || v == "N"; }).value_or("N") == "Y";
  b.ttl = narrow_ttl(choose_ttl(c, test), c);
  const std::string s = c.pick(test, "S", [](const std::string& v) {
                           return v == "Z" || v == "A" || v == "A+" || v == "O";
                         }).value_or("O");
  b.seq = s == "Z"    ? SeqRule::zero
          : s == "A"  ? SeqRule::probe_ack
          : s == "A+" ? SeqRule::probe_ack_plus_1
                      : SeqRule::other;
  const std::string a = c.pick(test, "A", [](const std::string& v) {
                           return v == "Z" || v == "S" || v == "S+" || v == "O";
                         }).value_or("S+");
  b.ack = a == "Z"    ? AckRule::zero
          : a == "S"  ? AckRule::probe_seq
          : a == "S+" ? AckRule::probe_seq_plus_1
                      : AckRule::other;
  // T1 is also the answer to the open port's SYN (port discovery and the SEQ probes): where the
  // reference allows several flag sets (e.g. `F=A|AS`), a SYN/ACK keeps the port visibly open, so
  // scanners do not give up on the host before OS detection starts.
  const auto is_syn_ack = [](const std::string& v) {
    return valid_flag_letters(v) && v.find('S') != std::string::npos && v.find('A') != std::string::npos &&
           v.find('R') == std::string::npos;
  };
  const std::optional<std::string> syn_ack = test == "T1" ? c.pick(test, "F", is_syn_ack) : std::nullopt;
  const std::optional<std::string> f =
      syn_ack.has_value() && is_syn_ack(*syn_ack) ? syn_ack : c.pick(test, "F", valid_flag_letters);
  b.flags = flags_from_letters(f.value_or("AR"));
  const auto rd = c.pick(test, "RD", [](const std::string& v) { return parse_hex(v).has_value(); });
  const std::uint32_t rd_value = hex_or(rd, 0);
  if (rd_value != 0) {
    const auto forged = forge_crc32(rd_value);
    b.rst_payload.assign(forged.begin(), forged.end());
  }
  const std::string q = c.pick(test, "Q", [](const std::string& v) {
                           return v.empty() || v == "R" || v == "U" || v == "RU";
                         }).value_or("");
  if (q.find('R') != std::string::npos) b.reserved = 0x8;
  if (q.find('U') != std::string::npos) b.urgent_pointer = 0xF7F5;
}

TimestampPlan choose_timestamps(Chooser& c) {
  // Prefer a class the option layouts of O1 can show (T1x for a clock, T0x for zero, none for U).
  const std::string* o1 = c.expression("OPS", "O1");
  const auto ts = c.pick("SEQ", "TS", [o1](const std::string& v) {
    if (o1 != nullptr) {
      if (v == "U" && o1->find('T') != std::string::npos && o1->find("|") == std::string::npos) return false;
      if (v == "0" && o1->find("T0") == std::string::npos) return false;
      if (v != "U" && v != "0" && o1->find("T1") == std::string::npos) return false;
    }
    if (v == "U" || v == "0") return true;
    const auto n = parse_hex(v);
    return n && *n >= 1 && *n <= 34 && *n != 2;
  });
  if (!ts) {
    // No TS in the reference: follow O1 (a timestamp option there means a ticking clock).
    // (o1 from above)
    if (o1 != nullptr && o1->find('T') == std::string::npos) return {TimestampKind::unsupported, 0.0};
    return {TimestampKind::clock, 1000.0};
  }
  if (*ts == "U") return {TimestampKind::unsupported, 0.0};
  if (*ts == "0") return {TimestampKind::zero, 0.0};
  const std::uint32_t n = hex_or(ts, 10);
  double hz = std::ldexp(1.0, static_cast<int>(n));
  if (n == 1) hz = 2.0;
  if (n == 7) hz = 100.0;
  if (n == 8) hz = 200.0;
  if (response_tests::ts_value(response_tests::TsSeqClass::other, hz) != *ts) c.unsatisfied("SEQ.TS");
  return {TimestampKind::clock, hz};
}

IpIdPlan ip_id_plan(const std::string& v) {
  if (v == "Z") return {IpIdKind::zero, 0};
  if (v == "RD") return {IpIdKind::random, 0};
  if (v == "RI") return {IpIdKind::random_increments, 0};
  if (v == "BI") return {IpIdKind::broken_increments, 0};
  if (v == "I") return {IpIdKind::increments, 0};
  if (const auto n = parse_hex(v); n && *n <= 0xFFFF) return {IpIdKind::constant, static_cast<std::uint16_t>(*n)};
  return {IpIdKind::increments, 0};
}

bool valid_ip_id_value(const std::string& v) {
  if (v == "Z" || v == "RD" || v == "RI" || v == "BI" || v == "I") return true;
  const auto n = parse_hex(v);
  return n && *n <= 0xFFFF;
}

// --- ISN planning --------------------------------------------------------------------------------

// Largest ISN step Nmap reads as itself: MOD_DIFF takes the shorter way round the 32-bit circle.
constexpr double k_max_isn_step = 2147483000.0;

// Step patterns (rates per second between consecutive SEQ probes) with mean `avg` and sample
// standard deviation (n-1 divisor) `sd`, all >= 0: alternating around the mean, or one high step and
// four low ones (the only shape when sd is large compared with avg, and the one that survives
// rounding when steps are few units of a large GCD).
std::vector<std::array<double, 5>> rate_patterns(double avg, double sd) {
  std::vector<std::array<double, 5>> out;
  if (sd <= avg * 0.95) out.push_back({avg + sd, avg - sd, avg + sd, avg - sd, avg});
  const double spread = std::sqrt(5.0) * sd; // high - low for one high and four low values
  const double low = avg - spread / 5.0;
  if (low >= 0.0) out.push_back({low + spread, low, low, low, low});
  return out;
}

// Planned steps (units of gcd) for rates over Nmap's 100 ms spacing; when the steps differ, the last
// is nudged so that gcd(steps) == 1 and SEQ.GCD reads exactly `gcd`. Constant steps are left alone:
// counters of the "64000 per connection" kind show GCD = step, and their references list multiples.
std::optional<std::array<std::uint64_t, 5>> plan_steps(const std::array<double, 5>& rates, std::uint32_t gcd) {
  std::array<std::uint64_t, 5> steps{};
  const auto g = static_cast<double>(gcd);
  for (std::size_t i = 0; i < 5; ++i) {
    const double step = rates[i] * 0.1;
    if (step > k_max_isn_step) return std::nullopt;
    steps[i] = static_cast<std::uint64_t>(std::llround(step / g));
  }
  const bool all_equal = std::all_of(steps.begin(), steps.end(), [&](std::uint64_t s) { return s == steps[0]; });
  if (!all_equal) {
    std::uint64_t g_earlier = 0;
    for (std::size_t i = 0; i < 4; ++i) g_earlier = std::gcd(g_earlier, steps[i]);
    const std::uint64_t k = steps[4];
    for (std::uint64_t delta = 0; delta < 64; ++delta) {
      if (std::gcd(g_earlier, k + delta) == 1) {
        steps[4] = k + delta;
        break;
      }
      if (delta <= k && std::gcd(g_earlier, k - delta) == 1) {
        steps[4] = k - delta;
        break;
      }
    }
  }
  for (const std::uint64_t s : steps) {
    if (static_cast<double>(s) * g > k_max_isn_step) return std::nullopt;
  }
  return steps;
}

// Runs Nmap's SEQ computation on a simulated series (probes at `times_ms`) and tells whether the
// reference's SP, GCD and ISR expressions accept the result.
bool plan_satisfies(const IsnPlan& plan, std::span<const double> times_ms, const std::string* sp_expr,
                    const std::string* gcd_expr, const std::string* isr_expr, bool require_fixed) {
  response_tests::SeqInput input;
  std::uint32_t isn = 0x3A5C19E7U;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0) {
      const double dt = (times_ms[i] - times_ms[i - 1]) / 1000.0;
      const std::uint64_t k = isn_multiplier(plan, static_cast<int>(i) - 1, static_cast<int>(i), dt);
      isn += static_cast<std::uint32_t>(k * plan.gcd);
    }
    response_tests::SeqSlot slot;
    slot.reply = response_tests::SeqReply{isn == 0 ? 1U : isn, static_cast<std::uint16_t>(i + 1),
                                          1000U + static_cast<std::uint32_t>(i)};
    slot.send_time_us = static_cast<std::int64_t>(std::llround(times_ms[i] * 1000.0)) + 1'700'000'000'000'000LL;
    input.slots.push_back(slot);
  }
  const auto analysis = response_tests::analyze_seq(input);
  if (!analysis.isn_stats) return false;
  auto ok = [&](const std::string* expr, std::uint32_t value) {
    if (expr == nullptr) return true;
    const Expression e = Expression::compile(*expr);
    const std::string text = hex(value);
    const auto obs = database::observe(text);
    return e.matches(obs, Semantics::nmap_7_93) && (!require_fixed || e.matches(obs, Semantics::fixed));
  };
  return ok(sp_expr, analysis.isn_stats->sp) && ok(gcd_expr, analysis.isn_stats->gcd) &&
         ok(isr_expr, analysis.isn_stats->isr);
}

IsnPlan choose_isn_plan(Chooser& c) {
  const std::string* sp_expr = c.expression("SEQ", "SP");
  const std::string* gcd_expr = c.expression("SEQ", "GCD");
  const std::string* isr_expr = c.expression("SEQ", "ISR");
  const std::vector<std::uint32_t> gcds = gcd_expr ? numeric_candidates(*gcd_expr, 12) : std::vector<std::uint32_t>{1};
  // ISR is aimed near the low end of its range. Whoever measures SP adds timing noise (the moments
  // the emulated host draws its ISNs are not exactly the probes' send times), and that noise grows
  // with the ISN rate (a rate r measured over 100 ms with t of timing noise is off by about
  // r * t / 0.1 s), while ISR itself hardly moves with it. Simulated for HP iLO 3 (SP=80-8A,
  // ISR=DE-E8) with 15 us of noise per probe: SP stays inside for ~90% of trains at ISR DF, ~76%
  // at the centre E3. SP stays aimed at its centre: aiming it lower loses as many low draws.
  // A low ISR cannot carry a high SP (the rates' spread would need negative rates): then the centre
  // of the range is tried as before.
  std::vector<std::uint32_t> isrs =
      isr_expr ? numeric_candidates(*isr_expr, 9, 0.1) : std::vector<std::uint32_t>{0x108};
  if (isr_expr) {
    for (const std::uint32_t isr : numeric_candidates(*isr_expr, 9)) {
      if (std::find(isrs.begin(), isrs.end(), isr) == isrs.end()) isrs.push_back(isr);
    }
  }
  const std::vector<std::uint32_t> sps = sp_expr ? numeric_candidates(*sp_expr, 9) : std::vector<std::uint32_t>{0x100};
  // Nmap's real cadence (docs/nmap-behaviour.md 4.6), an exact one and two wobbly ones: the plan must hold for all.
  constexpr std::array<std::array<double, 6>, 4> cadences{{{0.0, 100.2, 200.3, 300.3, 400.6, 500.8},
                                                           {0.0, 100.0, 200.0, 300.0, 400.0, 500.0},
                                                           {0.0, 100.5, 200.6, 301.1, 401.2, 501.7},
                                                           {0.0, 100.1, 200.7, 300.9, 401.0, 501.6}}};
  // A clock-driven plan (time-scaled: each ISN step is its rate times the time since the previous
  // probe) reads the same SP/GCD/ISR at any probe spacing, as a real stack's clock does: Nmap scanning
  // many hosts in one group sends a host's SEQ probes 300-500 ms or more apart, not 100 ms. It is
  // preferred when it holds for those spacings as well; per-probe steps are the fallback (counters
  // that step per connection, or steps of few GCD units that rounding over varying gaps would spoil).
  constexpr std::array<std::array<double, 6>, 4> wide_cadences{{{0.0, 400.0, 800.0, 1200.0, 1600.0, 2000.0},
                                                                {0.0, 300.4, 790.2, 1130.9, 1630.0, 1950.3},
                                                                {0.0, 250.0, 600.0, 850.0, 1300.0, 1450.0},
                                                                {0.0, 150.7, 480.1, 610.6, 1020.3, 1401.9}}};
  for (const bool require_fixed : {true, false}) {
    for (const std::uint32_t g : gcds) {
      // A GCD above 1 survives rounding rate x gap only by chance at other spacings: per-probe steps.
      if (g != 1) continue;
      for (const std::uint32_t isr : isrs) {
        for (const std::uint32_t sp : sps) {
          const double avg = std::exp2(static_cast<double>(isr) / 8.0);
          const double d = g > 9 ? static_cast<double>(g) : 1.0;
          const double sd = sp == 0 ? 0.0 : std::exp2(static_cast<double>(sp) / 8.0) * d;
          for (const auto& rates : rate_patterns(avg, sd)) {
            const IsnPlan plan{g, {}, true, rates, avg};
            auto holds = [&](const auto& times) {
              return plan_satisfies(plan, times, sp_expr, gcd_expr, isr_expr, require_fixed);
            };
            if (std::all_of(cadences.begin(), cadences.end(), holds) &&
                std::all_of(wide_cadences.begin(), wide_cadences.end(), holds)) {
              return plan;
            }
          }
        }
      }
    }
  }
  for (const bool require_fixed : {true, false}) {
    for (const std::uint32_t g : gcds) {
      for (const std::uint32_t isr : isrs) {
        for (const std::uint32_t sp : sps) {
          std::vector<IsnPlan> plans;
          if (g == 0) {
            plans.push_back(IsnPlan{0, {}, false, {}, 0.0});
          } else {
            const double avg = std::exp2(static_cast<double>(isr) / 8.0);
            const double d = g > 9 ? static_cast<double>(g) : 1.0;
            const double sd = sp == 0 ? 0.0 : std::exp2(static_cast<double>(sp) / 8.0) * d;
            for (const auto& rates : rate_patterns(avg, sd)) {
              if (const auto steps = plan_steps(rates, g)) plans.push_back(IsnPlan{g, *steps, false, rates, avg});
            }
            for (const auto& rates : rate_patterns(avg, sd)) plans.push_back(IsnPlan{g, {}, true, rates, avg});
          }
          for (const IsnPlan& plan : plans) {
            const bool all = std::all_of(cadences.begin(), cadences.end(), [&](const auto& times) {
              return plan_satisfies(plan, times, sp_expr, gcd_expr, isr_expr, require_fixed);
            });
            if (all) return plan;
          }
        }
      }
    }
  }
  if (sp_expr || gcd_expr || isr_expr) c.unsatisfied("SEQ.SP/GCD/ISR");
  // Random-looking ISNs (Linux-like) as a best effort.
  IsnPlan fallback;
  fallback.gcd = 1;
  fallback.average_rate = std::exp2(33.0);
  fallback.steps = {900000001, 300000007, 1100000003, 500000009, 700000001};
  return fallback;
}

// choose_isn_plan through the cache: the same plan, and the same "unsatisfied" entry, for the same
// three SEQ expressions.
IsnPlan cached_isn_plan(Chooser& c, IsnPlanCache& cache) {
  std::string key;
  for (const char* attribute : {"SP", "GCD", "ISR"}) {
    const std::string* expr = c.expression("SEQ", attribute);
    key += expr == nullptr ? std::string("\x01") : *expr; // absent differs from any expression text
    key += '%';
  }
  if (const auto* hit = cache.find(key)) {
    if (!hit->satisfied) c.unsatisfied("SEQ.SP/GCD/ISR");
    return hit->plan;
  }
  const std::size_t unsatisfied_before = c.unsatisfied_count();
  IsnPlan plan = choose_isn_plan(c);
  cache.add(std::move(key), {plan, c.unsatisfied_count() == unsatisfied_before});
  return plan;
}

UdpBehaviour choose_u1(Chooser& c) {
  UdpBehaviour u;
  const std::string test = "U1";
  u.responds = responds(c, test);
  if (!u.responds) return u;
  u.dont_fragment = c.pick(test, "DF", [](const std::string& v) { return v == "Y" || v == "N"; }).value_or("N") == "Y";
  u.ttl = narrow_ttl(choose_ttl(c, test), c);
  const std::uint32_t ipl = hex_or(c.pick(test, "IPL",
                                          [](const std::string& v) {
                                            const auto n = parse_hex(v);
                                            return n && *n >= 48 && *n <= 1500;
                                          }),
                                   356);
  u.total_length = static_cast<std::uint16_t>(std::clamp<std::uint32_t>(ipl, 48, 1500));
  u.unused = hex_or(c.pick(test, "UN", [](const std::string& v) { return parse_hex(v).has_value(); }), 0);
  const auto g_or_hex = [](const std::string& v) {
    if (v == "G") return true;
    const auto n = parse_hex(v);
    return n && *n <= 0xFFFF;
  };
  if (const auto ripl = c.pick(test, "RIPL", g_or_hex); ripl && *ripl != "G") {
    u.quoted_total_length = static_cast<std::uint16_t>(hex_or(ripl, 328));
  }
  if (const auto rid = c.pick(test, "RID", g_or_hex); rid && *rid != "G") {
    u.quoted_id = static_cast<std::uint16_t>(hex_or(rid, 0x1042));
  }
  const std::string ripck =
      c.pick(test, "RIPCK", [](const std::string& v) { return v == "G" || v == "Z" || v == "I"; }).value_or("G");
  u.quoted_checksum = ripck == "Z"   ? QuotedChecksum::zero
                      : ripck == "I" ? QuotedChecksum::invalid
                                     : QuotedChecksum::good;
  if (const auto ruck = c.pick(test, "RUCK", g_or_hex); ruck && *ruck != "G") {
    u.quoted_udp_checksum = static_cast<std::uint16_t>(hex_or(ruck, 0));
  }
  u.corrupt_data = c.pick(test, "RUD", [](const std::string& v) { return v == "G" || v == "I"; }).value_or("G") == "I";
  return u;
}

EchoBehaviour choose_ie(Chooser& c) {
  EchoBehaviour e;
  const std::string test = "IE";
  e.responds = responds(c, test);
  if (!e.responds) return e;
  const std::string dfi = c.pick(test, "DFI", [](const std::string& v) {
                             return v == "Y" || v == "S" || v == "N" || v == "O";
                           }).value_or("N");
  e.dont_fragment_1 = dfi == "Y" || dfi == "S";
  e.dont_fragment_2 = dfi == "Y" || dfi == "O";
  e.ttl = narrow_ttl(choose_ttl(c, test), c);
  const std::string cd = c.pick(test, "CD", [](const std::string& v) {
                            if (v == "Z" || v == "S" || v == "O") return true;
                            const auto n = parse_hex(v);
                            return n && *n >= 1 && *n <= 0xFF;
                          }).value_or("S");
  if (cd == "Z") {
    e.code_1 = 0;
    e.code_2 = 0;
  } else if (cd == "O") {
    e.code_1 = 0;
    e.code_2 = 9;
  } else if (cd != "S") {
    e.code_1 = static_cast<std::uint8_t>(hex_or(cd, 0));
    e.code_2 = e.code_1;
  }
  return e;
}

} // namespace

Expected<Personality> make_personality(const database::OsDb& db, std::size_t reference, std::uint64_t seed,
                                       IsnPlanCache* isn_plans) {
  if (reference >= db.references().size()) {
    return fail(
        fmt::format("reference index {} out of range (the database has {})", reference, db.references().size()));
  }
  Personality p;
  p.reference = reference;
  p.name = db.references()[reference].name;
  p.line = db.references()[reference].line;
  const std::uint64_t ref_seed = mix_seed(seed, static_cast<std::uint64_t>(p.line));
  Chooser c(db, reference, ref_seed, p.unsatisfied);

  // References with T above FF (T=100): Nmap's T = received TTL + U1 hop distance - 1, so quoting
  // U1 with a lowered TTL raises every T; all sent TTLs drop by the same bias. Picks are seeded per
  // attribute, so choosing the TTLs here and again below gives the same values.
  if (responds(c, "U1")) {
    std::uint32_t excess = 0;
    for (const char* test : {"ECN", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE"}) {
      if (c.has_test(test)) {
        const std::uint32_t desired = choose_ttl(c, test);
        if (desired > 255) excess = std::max(excess, desired - 255);
      }
    }
    c.set_ttl_bias(std::min<std::uint32_t>(excess, 64));
  }
  p.timestamps = choose_timestamps(c);
  const TimestampKind ts_kind = p.timestamps.kind;
  // SEQ replies must carry options that agree with the TS class: any reply without a timestamp
  // makes Nmap say U, any TSval 0 says 0.
  auto seq_options_ok = [ts_kind](const std::string& v) {
    switch (ts_kind) {
    case TimestampKind::unsupported: return v.find('T') == std::string::npos;
    case TimestampKind::zero: return v.find("T0") != std::string::npos;
    case TimestampKind::clock: return v.find("T1") != std::string::npos;
    }
    return true;
  };

  // T1 rules apply to every SEQ reply; W1..W6 and O1..O6 differ per probe.
  TcpBehaviour t1;
  choose_tcp_rules(c, "T1", t1);
  for (std::size_t i = 0; i < 6; ++i) {
    TcpBehaviour b = t1;
    const std::string n = std::to_string(i + 1);
    b.window = static_cast<std::uint16_t>(hex_or(c.pick("WIN", "W" + n,
                                                        [](const std::string& v) {
                                                          const auto x = parse_hex(v);
                                                          return x && *x <= 0xFFFF;
                                                        }),
                                                 0));
    if (c.expression("OPS", "O" + n) != nullptr) {
      b.options = choose_options(c, "OPS", "O" + n, seq_options_ok);
    } else {
      // OPS(R=N) or no OPS line: options that at least agree with SEQ.TS.
      const char* fallback = ts_kind == TimestampKind::clock  ? "M5B4NNT11"
                             : ts_kind == TimestampKind::zero ? "M5B4NNT01"
                                                              : "M5B4";
      b.options = parse_option_string(fallback).value_or(OptionLayout{});
    }
    p.seq[i] = b;
  }
  p.t[0] = p.seq[0];
  for (std::size_t i = 1; i < 7; ++i) {
    const std::string test = "T" + std::to_string(i + 1);
    TcpBehaviour b;
    choose_tcp_rules(c, test, b);
    b.window = static_cast<std::uint16_t>(hex_or(c.pick(test, "W",
                                                        [](const std::string& v) {
                                                          const auto x = parse_hex(v);
                                                          return x && *x <= 0xFFFF;
                                                        }),
                                                 0));
    b.options = choose_options(c, test, "O", {});
    p.t[i] = b;
  }

  // ECN: a SYN/ACK whose ECE/CWR bits give CC.
  {
    TcpBehaviour& b = p.ecn;
    const std::string test = "ECN";
    b.responds = responds(c, test);
    b.dont_fragment =
        c.pick(test, "DF", [](const std::string& v) { return v == "Y" || v == "N"; }).value_or("N") == "Y";
    b.ttl = narrow_ttl(choose_ttl(c, test), c);
    b.window = static_cast<std::uint16_t>(hex_or(c.pick(test, "W",
                                                        [](const std::string& v) {
                                                          const auto x = parse_hex(v);
                                                          return x && *x <= 0xFFFF;
                                                        }),
                                                 0));
    b.options = choose_options(c, test, "O", {});
    b.flags = wire::k_tcp_syn | wire::k_tcp_ack;
    const std::string cc = c.pick(test, "CC", [](const std::string& v) {
                              return v == "Y" || v == "N" || v == "S" || v == "O";
                            }).value_or("N");
    if (cc == "Y") b.flags |= wire::k_tcp_ece;
    if (cc == "S") b.flags |= wire::k_tcp_ece | wire::k_tcp_cwr;
    if (cc == "O") b.flags |= wire::k_tcp_cwr;
    const std::string q = c.pick(test, "Q", [](const std::string& v) {
                             return v.empty() || v == "R" || v == "U" || v == "RU";
                           }).value_or("");
    if (q.find('R') != std::string::npos) b.reserved = 0x8;
    if (q.find('U') != std::string::npos) b.urgent_pointer = 0xF7F5;
    b.seq = SeqRule::other;
    b.ack = AckRule::probe_seq_plus_1;
  }

  p.u1 = choose_u1(c);
  p.ie = choose_ie(c);
  p.quoted_ttl_bias = static_cast<std::uint8_t>(c.ttl_bias());
  p.isn = isn_plans == nullptr ? choose_isn_plan(c) : cached_isn_plan(c, *isn_plans);

  p.ti = ip_id_plan(c.pick("SEQ", "TI", valid_ip_id_value).value_or("I"));
  p.ci = ip_id_plan(c.pick("SEQ", "CI", valid_ip_id_value).value_or("I"));
  p.ii = ip_id_plan(
      c.pick("SEQ", "II", [](const std::string& v) { return valid_ip_id_value(v) && v != "RD"; }).value_or("I"));
  const auto ss = c.pick("SEQ", "SS", [](const std::string& v) { return v == "S" || v == "O"; });
  p.shared_tcp_icmp_ids = ss ? *ss == "S" : p.ti.kind == p.ii.kind;
  return p;
}

} // namespace stackprint::emulation
