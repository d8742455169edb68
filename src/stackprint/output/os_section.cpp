#include "stackprint/output/os_section.hpp"

#include <fmt/format.h>

#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/output/time_text.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/scoring/partial_match.hpp"

namespace stackprint::output {
namespace {

constexpr std::size_t k_max_listed_perfect = 8;

// The merged fingerprint with SCAN.G forced to N (Nmap's "Too many" case passes isGoodFP=false
// even when conditions were ideal).
fingerprint::Fingerprint with_good_flag(const responses::RunFingerprint& run, bool good) {
  fingerprint::Fingerprint fp = run.merged;
  if (fp.scan && run.scan.good_for_submission != good) {
    fingerprint::ScanLine scan = run.scan;
    scan.good_for_submission = good;
    fp.scan = fingerprint::to_test_line(scan);
  }
  return fp;
}

} // namespace

std::optional<std::string> missing_tests_line(const HostReport& host) {
  const responses::SilenceVerdict& silence = host.run.silence;
  if (!silence.filtered()) return std::nullopt;
  return fmt::format("Missing tests (filtered): {}; {} ({})", scoring::join_test_names(silence.filtered_tests),
                     host.partial_match ? "matched without them" : "matched as R=N, as Nmap does", silence.evidence);
}

SeqLeftOut seq_left_out(const HostReport& host) {
  SeqLeftOut out;
  const std::size_t round = host.final_round.seq_round;
  if (round >= host.round_replies.size()) return out;
  const responses::RoundReplies& replies = host.round_replies[round];
  for (std::size_t i = 0; i < replies.seq.size(); ++i) {
    const std::string name = fmt::format("SEQ{}", i + 1);
    const auto bit = static_cast<std::uint8_t>(1U << i);
    if (replies.seq[i]) {
      ++out.samples;
    } else if ((replies.seq_retransmitted & bit) != 0) {
      out.retransmitted.push_back(name);
    } else if ((replies.seq_late & bit) != 0) {
      out.late.push_back(name);
    }
  }
  return out;
}

std::optional<std::string> seq_left_out_line(const HostReport& host) {
  const SeqLeftOut left_out = seq_left_out(host);
  if (left_out.empty()) return std::nullopt;
  std::string text = "SEQ samples left out: ";
  const auto names = [](const std::vector<std::string>& list) {
    std::string joined;
    for (const auto& name : list) joined += (joined.empty() ? "" : " ") + name;
    return joined;
  };
  if (!left_out.late.empty()) text += names(left_out.late) + " came after the probe timeout";
  if (!left_out.retransmitted.empty()) {
    if (!left_out.late.empty()) text += "; ";
    text += names(left_out.retransmitted) + " repeated an ISN the host had sent (a retransmission)";
  }
  return text + fmt::format("; SP, GCD, ISR and TS come from the other {}", left_out.samples);
}

OsSection build_os_section(const database::OsDb& db, const HostReport& host, const OutputOptions& options) {
  OsSection section;
  const scoring::MatchResult& result = host.final_match();
  const std::optional<std::string>& reason = host.run.not_ideal_reason;
  const bool verbose_fp = options.verbosity > 1 || options.debugging > 0;
  const bool too_many = result.outcome == scoring::Outcome::too_many_matches ||
                        (result.perfect_matches > k_max_listed_perfect && options.debugging == 0);
  const bool guess = options.osscan_guess || reason.has_value();

  if (host.results_unreliable && !too_many) {
    section.lines.emplace_back(
        "Warning: OSScan results may be unreliable because we could not find at least 1 open and 1 closed port");
  }
  scoring::ReportOptions report_options;
  report_options.osscan_guess = options.osscan_guess;
  report_options.non_ideal = reason.has_value();
  report_options.debugging = options.debugging > 0;
  scoring::OsReport report = scoring::build_os_report(db, result, report_options);
  section.xml_matches = report.xml_matches;
  const std::size_t class_lines = scoring::classification_lines(scoring::classify(db, result), guess).size();

  bool show_not_ideal = false;
  bool show_fp = false;
  bool wrapped = true;
  bool good = !reason.has_value();
  if (!too_many && result.outcome == scoring::Outcome::success) {
    if (result.perfect_matches > 0) {
      show_fp = verbose_fp;
    } else {
      show_not_ideal = verbose_fp && reason.has_value();
      show_fp = !reason.has_value() || verbose_fp;
      wrapped = !reason.has_value();
    }
  } else if (!too_many && result.outcome == scoring::Outcome::no_matches) {
    show_not_ideal = reason.has_value();
    show_fp = !reason.has_value() || verbose_fp;
    wrapped = !reason.has_value();
  } else {
    show_fp = verbose_fp;
    wrapped = false;
    good = false;
  }

  for (std::size_t i = 0; i < report.lines.size(); ++i) {
    if (i == class_lines && show_not_ideal) { section.lines.push_back("OS fingerprint not ideal because: " + *reason); }
    section.lines.push_back(std::move(report.lines[i]));
  }
  if (auto missing = missing_tests_line(host)) { section.lines.push_back(std::move(*missing)); }
  if (auto left_out = seq_left_out_line(host)) { section.lines.push_back(std::move(*left_out)); }
  if (show_fp) {
    const fingerprint::Fingerprint fp = with_good_flag(host.run, good);
    section.fingerprint = wrapped ? fingerprint::format_wrapped(fp) : fingerprint::format_plain(fp);
  }
  return section;
}

HostSequenceFacts host_sequence_facts(const HostReport& host, std::int64_t now_s) {
  HostSequenceFacts facts;
  facts.distance = host.run.distance;
  const response_tests::SeqLineResult* seq = host.reported_seq();
  if (seq == nullptr) return facts;
  const response_tests::SeqAnalysis& a = seq->seq;
  if (a.lastboot_s && *a.lastboot_s != 0) {
    facts.lastboot_s = a.lastboot_s;
    facts.uptime_s = now_s - *a.lastboot_s;
  }
  facts.responses = a.responses;
  facts.difficulty_index = a.isn_stats ? a.isn_stats->sp : 0;
  facts.difficulty_words = response_tests::difficulty_words(facts.difficulty_index);
  facts.ip_id_words = response_tests::ip_id_class_words(seq->ti);
  facts.ts_words = response_tests::ts_class_words(a.ts_class);
  facts.ts_values_shown = a.ts_class != response_tests::TsSeqClass::unsupported;
  facts.isns = a.isns;
  facts.ip_ids = a.ip_ids;
  facts.tsvals = a.tsvals;
  return facts;
}

std::vector<std::string> host_detail_lines(const HostReport& host, const OutputOptions& options, std::int64_t now_s) {
  std::vector<std::string> lines;
  const HostSequenceFacts facts = host_sequence_facts(host, now_s);
  if (options.verbosity > 0 && facts.lastboot_s) {
    lines.push_back(fmt::format("Uptime guess: {:.3f} days (since {})", static_cast<double>(*facts.uptime_s) / 86400.0,
                                ctime_text(*facts.lastboot_s, options.zone)));
  }
  if (facts.distance) {
    lines.push_back(fmt::format("Network Distance: {} hop{}", *facts.distance, *facts.distance == 1 ? "" : "s"));
  }
  if (options.verbosity > 0 && facts.responses > 3) {
    lines.push_back(
        fmt::format("TCP Sequence Prediction: Difficulty={} ({})", facts.difficulty_index, facts.difficulty_words));
  }
  if (options.verbosity > 0 && facts.responses > 2) {
    lines.push_back("IP ID Sequence Generation: " + facts.ip_id_words);
  }
  return lines;
}

std::string hex_list(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{:X}", values[i]);
  }
  return out;
}

std::string hex_list(const std::vector<std::uint16_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{:X}", values[i]);
  }
  return out;
}

} // namespace stackprint::output
