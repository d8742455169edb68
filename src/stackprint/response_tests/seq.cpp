#include "stackprint/response_tests/seq.hpp"

#include <cmath>

#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {
namespace {

// What `(unsigned int)some_double` gives with GCC on x86-64 (a 64-bit truncating conversion, then
// the low 32 bits). Nmap relies on it for ISR and the OTHER-class uptime divisor even where the
// value is negative or too large, which C++ leaves undefined; we reproduce it without UB.
std::uint32_t nmap_to_unsigned(double x) {
  if (!(x > -9.2e18 && x < 9.2e18)) return 0; // NaN or out of int64 range: cvttsd2si gives 2^63
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(static_cast<std::int64_t>(x)));
}

// Nmap takes binary logarithms as log(x) / log(2.0); keep that exact rounding.
double nmap_log2(double x) { return std::log(x) / std::log(2.0); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

constexpr std::int64_t k_max_believed_uptime_s = 63072000; // 2 years

} // namespace

// SEQ.TS input: Nmap's gettcpopt_ts.
std::optional<std::uint32_t> timestamp_option_value(std::span<const std::uint8_t> options) {
  std::size_t i = 0;
  while (i < options.size() && options[i] != 0) {
    const std::uint8_t kind = options[i];
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size()) break; // no length byte (Nmap would read it from the data)
    const std::size_t length = options[i + 1];
    if (length < 2 || length > options.size() - i) break;
    if (kind == 8 && length == 10) {
      return static_cast<std::uint32_t>(options[i + 2]) << 24 | static_cast<std::uint32_t>(options[i + 3]) << 16 |
             static_cast<std::uint32_t>(options[i + 4]) << 8 | static_cast<std::uint32_t>(options[i + 5]);
    }
    i += length;
  }
  return std::nullopt;
}

std::uint32_t mod_diff(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t ab = a - b;
  const std::uint32_t ba = b - a;
  return ab < ba ? ab : ba;
}

// SEQ.GCD: Nmap's gcd_n_uint.
std::uint32_t gcd_of(std::span<const std::uint32_t> values) {
  if (values.empty()) return 1;
  std::uint32_t a = values.front();
  for (std::size_t i = 1; i < values.size(); ++i) {
    std::uint32_t b = values[i];
    if (a < b) std::swap(a, b);
    while (b != 0) {
      const std::uint32_t c = a % b;
      a = b;
      b = c;
    }
  }
  return a;
}

// SEQ.TS value.
std::optional<std::string> ts_value(TsSeqClass cls, double avg_ts_hz) {
  switch (cls) {
  case TsSeqClass::zero: return "0";
  case TsSeqClass::unsupported: return "U";
  case TsSeqClass::unknown: return std::nullopt;
  case TsSeqClass::hz2:
  case TsSeqClass::hz100:
  case TsSeqClass::hz1000:
  case TsSeqClass::other: break;
  }
  // The value bins differ from the class bins on purpose (Nmap aligns them with 2/100/200 Hz).
  std::uint32_t value = 0;
  if (avg_ts_hz <= 5.66)
    value = 1;
  else if (avg_ts_hz > 70 && avg_ts_hz <= 150)
    value = 7;
  else if (avg_ts_hz > 150 && avg_ts_hz <= 350)
    value = 8;
  else
    value = nmap_to_unsigned(0.5 + nmap_log2(avg_ts_hz));
  return hex(value);
}

// SEQ.SP, SEQ.GCD, SEQ.ISR, SEQ.TS and the uptime: Nmap's makeTSeqFP.
SeqAnalysis analyze_seq(const SeqInput& input) {
  SeqAnalysis out;

  // TS class, set while the replies arrive: no TS option -> unsupported, TSval 0 -> zero; the
  // last such event wins. Replies whose ISN is 0 count here too.
  std::vector<std::size_t> order = input.arrival_order;
  if (order.empty()) {
    for (std::size_t i = 0; i < input.slots.size(); ++i) order.push_back(i);
  }
  for (const std::size_t i : order) {
    if (i >= input.slots.size() || !input.slots[i].reply) continue;
    const auto& tsval = input.slots[i].reply->tsval;
    if (!tsval)
      out.ts_class = TsSeqClass::unsupported;
    else if (*tsval == 0)
      out.ts_class = TsSeqClass::zero;
  }

  // SEQ.TI samples: every accepted reply, by slot.
  for (const SeqSlot& slot : input.slots) {
    if (slot.reply) out.ti_ip_ids.push_back(slot.reply->ip_id);
  }

  // Compaction: a slot is good when its ISN is non-zero.
  for (const SeqSlot& slot : input.slots) {
    if (!slot.reply || slot.reply->isn == 0) continue;
    out.isns.push_back(slot.reply->isn);
    out.ip_ids.push_back(slot.reply->ip_id);
    out.tsvals.push_back(slot.reply->tsval.value_or(0));
    out.send_times_us.push_back(slot.send_time_us);
  }
  out.responses = out.isns.size();
  const std::size_t n = out.responses;

  std::vector<std::uint32_t> seq_diffs;
  std::vector<std::uint32_t> ts_diffs;
  std::vector<float> seq_rates; // float in Nmap, which changes SP in the last bits
  std::vector<std::uint64_t> dt_us;
  double seq_avg_rate = 0.0;
  for (std::size_t j = 1; j < n; ++j) {
    seq_diffs.push_back(mod_diff(out.isns[j], out.isns[j - 1]));
    ts_diffs.push_back(mod_diff(out.tsvals[j], out.tsvals[j - 1]));
    // unsigned long in Nmap: a negative interval wraps to a huge one.
    auto dt = static_cast<std::uint64_t>(out.send_times_us[j] - out.send_times_us[j - 1]);
    if (dt == 0) dt = 1;
    dt_us.push_back(dt);
    seq_rates.push_back(static_cast<float>(seq_diffs.back() * 1000000.0 / static_cast<double>(dt)));
    seq_avg_rate += seq_rates.back();
  }

  if (n >= 4 && input.scan_delay_ms <= 1000) {
    IsnStats stats;
    seq_avg_rate /= static_cast<double>(n - 1);
    stats.gcd = gcd_of(seq_diffs);
    if (stats.gcd == 0) {
      stats.sp = 0; // constant ISN
      stats.isr = 0;
    } else {
      stats.isr = nmap_to_unsigned(nmap_log2(seq_avg_rate) * 8 + 0.5);
      // Divide by the GCD only when it is large (>= 10): small GCDs are usually chance.
      const int div_gcd = stats.gcd > 9 ? static_cast<int>(stats.gcd) : 1;
      double stddev = 0.0;
      for (std::size_t i = 0; i + 1 < n; ++i) {
        const double r = static_cast<double>(seq_rates[i] / static_cast<float>(div_gcd)) - seq_avg_rate / div_gcd;
        stddev += r * r;
      }
      stddev /= static_cast<double>(n - 2);
      stddev = std::sqrt(stddev);
      if (stddev <= 1) {
        stats.sp = 0;
      } else {
        const double index = nmap_log2(stddev) * 8 + 0.5;
        stats.sp = index < 2147483647.0 ? static_cast<std::uint32_t>(static_cast<int>(index)) : 0x80000000u;
      }
    }
    out.isn_stats = stats;
  }

  if (out.ts_class == TsSeqClass::unknown && n >= 2) {
    double avg_hz = 0.0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const double hz = static_cast<double>(ts_diffs[i]) / (static_cast<double>(dt_us[i]) / 1000000.0);
      avg_hz += hz / static_cast<double>(n - 1);
    }
    out.avg_ts_hz = avg_hz;
    std::int64_t uptime = 0;
    const std::uint32_t ts0 = out.tsvals[0];
    if (avg_hz > 0 && avg_hz < 5.66) {
      out.ts_class = TsSeqClass::hz2;
      uptime = ts0 / 2;
    } else if (avg_hz > 70 && avg_hz < 150) {
      out.ts_class = TsSeqClass::hz100;
      uptime = ts0 / 100;
    } else if (avg_hz > 724 && avg_hz < 1448) {
      out.ts_class = TsSeqClass::hz1000;
      uptime = ts0 / 1000;
    } else if (avg_hz > 0) {
      out.ts_class = TsSeqClass::other;
      const std::uint32_t divisor = nmap_to_unsigned(0.5 + avg_hz);
      // DIVERGENCE(nmap): a divisor that truncates to 0 would crash Nmap (division by zero).
      uptime = divisor == 0 ? 0 : ts0 / divisor;
    }
    if (uptime > k_max_believed_uptime_s) uptime = 0;
    out.uptime_s = uptime;
    out.lastboot_s = floor_div(out.send_times_us[0], 1000000) - uptime;
  }
  out.ts_value = ts_value(out.ts_class, out.avg_ts_hz);
  return out;
}

SeqLineResult make_seq_line(const SeqLineInput& input) {
  SeqLineResult result;
  result.seq = analyze_seq(input.seq);
  const auto& ti_ids = result.seq.ti_ip_ids;
  const auto ci_ids = compact_ip_ids(input.closed_port_ip_ids);
  const auto ii_ids = compact_ip_ids(input.echo_ip_ids);
  result.ti = classify_ti(ti_ids, input.scanning_localhost);
  result.ci = classify_ci(ci_ids, input.scanning_localhost);
  result.ii = classify_ii(ii_ids, input.scanning_localhost);

  fingerprint::TestLine line{"SEQ", {}};
  auto add = [&line](const char* name, std::string value) { line.attributes.push_back({name, std::move(value)}); };
  if (const auto& s = result.seq.isn_stats) {
    add("SP", hex(s->sp));
    add("GCD", hex(s->gcd));
    add("ISR", hex(s->isr));
  }
  if (auto v = ip_id_value(result.ti, ti_ids)) add("TI", *v);
  if (auto v = ip_id_value(result.ci, ci_ids)) add("CI", *v);
  if (auto v = ip_id_value(result.ii, ii_ids)) add("II", *v);
  if (auto v = shared_ip_id_value(result.ti, ti_ids, result.ii, ii_ids)) add("SS", *v);
  if (result.seq.ts_value) add("TS", *result.seq.ts_value);
  if (!line.attributes.empty()) result.line = std::move(line);
  return result;
}

const char* difficulty_words(std::uint64_t sp_index) {
  if (sp_index < 3) return "Trivial joke";
  if (sp_index < 6) return "Easy";
  if (sp_index < 11) return "Medium";
  if (sp_index < 12) return "Formidable";
  if (sp_index < 16) return "Worthy challenge";
  return "Good luck!";
}

const char* ts_class_words(TsSeqClass cls) {
  switch (cls) {
  case TsSeqClass::zero: return "zero timestamp";
  case TsSeqClass::hz2: return "2HZ";
  case TsSeqClass::hz100: return "100HZ";
  case TsSeqClass::hz1000: return "1000HZ";
  case TsSeqClass::other: return "other";
  case TsSeqClass::unsupported: return "none returned (unsupported)";
  case TsSeqClass::unknown: return "unknown class";
  }
  return "unknown class";
}

} // namespace stackprint::response_tests
