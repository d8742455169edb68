// `stackprint replay --pcap FILE --target IP [--wrapped] [--option-walk 7.93|fixed]`: the subject
// fingerprint of an OS-detection run recorded in a capture (Nmap 7.93's or stackprint's).
//
// With any of -oN/-oX/-oJ FILE ('-' = standard output) it instead writes full reports of the run:
// every round is matched against nmap-os-db (--db PATH, else $STACKPRINT_DB, else
// /usr/share/nmap/nmap-os-db), the reported round is chosen as Nmap does, and the reports are
// laid out as Nmap's normal and XML output (plus JSON Lines). -v/-vv and --osscan-guess change
// them as in Nmap. Times come from the capture: the run starts at its first frame and the report
// is "printed" at its last one.
//
// Every file is opened first (the capture, the database, the services list, the reports); then the
// seccomp allow-list goes on (cli/offline_sandbox.hpp), and only then is the capture read and parsed.
// The report files are therefore created even when the capture turns out to be unusable.

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/base/ttl_guess.hpp"
#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/offline_sandbox.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/cli/report_writer.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/io/capture_file.hpp"
#include "stackprint/output/host_report.hpp"
#include "stackprint/output/services.hpp"
#include "stackprint/output/verbose_lines.hpp"
#include "stackprint/response_tests/ttl.hpp"
#include "stackprint/responses/recorded_run.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/session/host_reports.hpp"

namespace stackprint::cli {
namespace {

struct ReplayOptions {
  std::string pcap;
  std::string target;
  bool wrapped = false;
  bool each_round = false;
  int timing_level = 3;
  std::string option_walk = "7.93";
  // Reports.
  std::string db;
  int verbosity = 0;
  int debugging = 0;
  bool osscan_guess = false;
  bool no_partial_match = false;
  std::string services = "/usr/share/nmap/nmap-services";
  ReportDestinations outputs;
  std::string command_line;
};

std::int64_t seconds_of(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The capture's time span (first and last frame).
std::pair<Timestamp, Timestamp> capture_span(const std::vector<CapturedFrame>& frames) {
  Timestamp first = frames.front().time;
  Timestamp last = frames.front().time;
  for (const auto& f : frames) {
    first = std::min(first, f.time);
    last = std::max(last, f.time);
  }
  return {first, last};
}

std::vector<output::ScanInfo> replay_scaninfo(const std::vector<output::PortLine>& ports) {
  std::vector<output::ScanInfo> info;
  for (const output::Protocol proto : {output::Protocol::tcp, output::Protocol::udp}) {
    output::ScanInfo s;
    s.type = proto == output::Protocol::tcp ? "syn" : "udp";
    s.protocol = proto;
    for (const auto& p : ports) {
      if (p.protocol != proto) continue;
      if (s.count++ > 0) s.services += ',';
      s.services += std::to_string(p.port);
    }
    if (s.count > 0) info.push_back(std::move(s));
  }
  return info;
}

// The files of the report mode, opened before the allow-list goes on.
struct ReportFiles {
  Expected<OpenTextFile> db = fail("not opened");
  std::optional<OpenTextFile> services;
  ReportWriter writer;
};

int write_reports(const ReplayOptions& options, ReportFiles& files, const responses::RecordedRun& run,
                  const responses::RunFingerprint& fingerprint, const std::vector<CapturedFrame>& frames) {
  const std::string db_path = resolve_os_db_path(options.db);
  const auto db = files.db.and_then([&](OpenTextFile& file) { return read_text_file(file); })
                      .and_then([&](const std::string& text) { return database::parse_os_db(text, db_path); });
  if (!db) {
    print_error("replay", db.error().message);
    return k_exit_bad_input;
  }
  output::ServiceNames services;
  if (files.services) {
    if (auto text = read_text_file(*files.services)) services = output::ServiceNames::parse(*text);
  }
  const auto [first, last] = capture_span(frames);

  scoring::Matcher matcher(*db);
  const output::HostReport host = session::recorded_host_report(run, fingerprint, matcher, !options.no_partial_match,
                                                                services, seconds_of(first), seconds_of(last));

  output::OutputOptions out_options;
  out_options.verbosity = output::effective_verbosity(options.verbosity, options.debugging);
  out_options.debugging = options.debugging;
  out_options.osscan_guess = options.osscan_guess;
  out_options.zone = local_time_zone(host.start_s);
  output::RunInfo info;
  info.program_version = STACKPRINT_VERSION;
  info.args = options.command_line;
  info.start_s = host.start_s;
  info.scaninfo = replay_scaninfo(host.ports);

  ReportWriter& writer = files.writer;
  writer.write_headers(info, out_options);
  writer.write_host(*db, host, host.end_s);
  output::RunSummary summary;
  summary.end_s = host.end_s;
  summary.elapsed_s = std::chrono::duration<double>(last - first).count();
  summary.hosts_up = 1;
  if (out_options.verbosity > 0) { summary.data_directory = output::data_files_directory(db_path); }
  if (!writer.finish(summary)) {
    print_error("replay", "writing the reports failed");
    return k_exit_environment;
  }
  return k_exit_ok;
}

// A reply whose TTL is still a common initial value crossed no router: the MAC it came from is
// the target's own, as Nmap knows from ARP on a shared segment.
bool target_on_our_segment(const responses::RecordedRun& run) {
  for (const auto& round : run.rounds) {
    const auto& r = round.replies;
    for (const auto* reply : {r.t[0] ? &*r.t[0] : nullptr, r.ecn ? &*r.ecn : nullptr, r.t[4] ? &*r.t[4] : nullptr,
                              r.echo[0] ? &*r.echo[0] : nullptr, r.u1 ? &*r.u1 : nullptr}) {
      if (reply != nullptr) {
        const std::uint8_t ttl = reply->packet.ip.ttl;
        return ttl == initial_ttl_guess(ttl);
      }
    }
  }
  return false;
}

int run_replay(const ReplayOptions& options) {
  const auto target = parse_ipv4_address(options.target);
  if (!target) {
    print_error("replay", "--target: " + target.error().message);
    return k_exit_bad_input;
  }
  auto capture_file = io::open_capture_file(options.pcap);
  if (!capture_file) {
    print_error("replay", capture_file.error().message);
    return k_exit_bad_input;
  }
  ReportFiles files;
  if (options.outputs.any()) {
    // A database that cannot be opened is an error before any report file is created.
    files.db = open_text_file(resolve_os_db_path(options.db));
    if (!files.db) {
      print_error("replay", files.db.error().message);
      return k_exit_bad_input;
    }
    if (!options.services.empty()) {
      if (auto services = open_text_file(options.services)) files.services = std::move(*services);
    }
    if (auto opened = files.writer.open_files(options.outputs); !opened) {
      print_error("replay", opened.error().message);
      return k_exit_environment;
    }
  }
  if (!enter_offline_sandbox("replay")) return k_exit_environment;

  const auto capture = io::read_capture_file(std::move(*capture_file));
  if (!capture) {
    print_error("replay", capture.error().message);
    return k_exit_bad_input;
  }
  const auto run = responses::reconstruct_run(capture->frames, target->value);
  if (!run) {
    print_error("replay", fmt::format("{}: {} {}", options.pcap, run.error().message, options.target));
    return k_exit_bad_input;
  }
  if (capture->skipped > 0) {
    print_error("replay", fmt::format("skipped {} frame(s) that are not IPv4 (ARP, IPv6, ...)", capture->skipped));
  }
  if (run->unparsed_frames > 0) {
    print_error("replay", fmt::format("skipped {} IPv4 frame(s) that do not parse", run->unparsed_frames));
  }

  responses::RunFacts facts;
  facts.target_address = target->value;
  facts.scanning_localhost = target->value == run->scanner_address;
  facts.open_tcp_port = run->open_tcp_port;
  facts.closed_tcp_port = run->closed_tcp_port;
  facts.closed_udp_port = run->closed_udp_port;
  facts.closed_tcp_port_known = run->closed_tcp_port_known;
  facts.closed_udp_port_known = run->closed_udp_port_known;
  facts.closed_tcp_ports_filtered = run->closed_tcp_ports_filtered;
  facts.udp_port_scan = run->udp_port_scan;
  if (run->target_mac && target_on_our_segment(*run)) { facts.direct_target_mac = run->target_mac; }
  facts.scan_delay_ms = run->inferred_scan_delay_ms;
  facts.timing_level = options.timing_level;
  facts.start = run->rounds.front().start;
  facts.option_walk = options.option_walk == "fixed" ? response_tests::OptionWalk::skip_unknown_by_length
                                                     : response_tests::OptionWalk::nmap_7_93;

  std::vector<responses::RoundInput> rounds;
  for (const auto& round : run->rounds) { rounds.push_back({&round.replies, &round.context}); }
  const auto result = responses::fingerprint_run(rounds, facts);
  if (options.outputs.any()) { return write_reports(options, files, *run, result, capture->frames); }
  const std::string text =
      options.wrapped ? fingerprint::format_wrapped(result.merged) : fingerprint::format_plain(result.merged);
  print_text(stdout, text);
  if (options.each_round) {
    for (std::size_t i = 0; i < result.rounds.size(); ++i) {
      std::printf("# round %zu\n%s", i + 1, fingerprint::format_plain(result.rounds[i].fingerprint).c_str());
    }
  }
  return k_exit_ok;
}

} // namespace

void add_replay_command(CLI::App& app, int& status) {
  auto options = std::make_shared<ReplayOptions>();
  auto* cmd =
      app.add_subcommand("replay", "Print the subject fingerprint of an OS-detection run recorded in a capture");
  cmd->add_option("--pcap", options->pcap, "Capture file (pcap or pcapng) of the run")->required();
  cmd->add_option("--target", options->target, "IPv4 address of the fingerprinted host")->required();
  cmd->add_flag("--wrapped", options->wrapped, "Print Nmap's OS:-prefixed wrapped form");
  cmd->add_option("-T,--timing-level", options->timing_level,
                  "Nmap timing template the run used (0-5; a capture does not show it, and 5 makes G=N)")
      ->check(CLI::Range(0, 5));
  cmd->add_flag("--each-round", options->each_round,
                "After the merged fingerprint, print each round's own fingerprint (what matching uses)");
  cmd->add_option("--option-walk", options->option_walk,
                  "TCP option string rules: 7.93 (bit-compatible, default) or fixed (skip unknown options by length)")
      ->check(CLI::IsMember({"7.93", "fixed"}));
  cmd->add_option("--db", options->db,
                  "nmap-os-db to match against (default: $STACKPRINT_DB, else /usr/share/nmap/nmap-os-db)");
  cmd->add_flag("-v,--verbose", options->verbosity, "More output, as Nmap's -v (repeat: -vv)");
  cmd->add_flag("-d,--debug", options->debugging, "Debug level, as Nmap's -d (lists more than 8 perfect matches)");
  cmd->add_flag("--osscan-guess,--fuzzy", options->osscan_guess, "Guess OS more aggressively (as Nmap)");
  cmd->add_flag("--no-partial-match", options->no_partial_match,
                "Match probes blamed on a filter as R=N, as Nmap does (default: match without them)");
  cmd->add_option("--services", options->services, "nmap-services file for port names in reports ('' for none)");
  add_report_options(*cmd, options->outputs);
  cmd->footer("Without -oN/-oX/-oJ, prints the merged subject fingerprint (plain, or wrapped with --wrapped).\n"
              "With them, writes Nmap-style reports instead: -oN normal text, -oX Nmap XML, -oJ JSON Lines.");
  cmd->callback([options, &status] {
    // The command as it could be typed again (XML args, normal output header).
    ReplayOptions& o = *options;
    o.command_line = "stackprint replay --pcap " + o.pcap + " --target " + o.target;
    if (o.verbosity > 0) o.command_line += " -" + std::string(static_cast<std::size_t>(o.verbosity), 'v');
    if (o.debugging > 0) o.command_line += " -" + std::string(static_cast<std::size_t>(o.debugging), 'd');
    if (o.osscan_guess) o.command_line += " --osscan-guess";
    if (o.timing_level != 3) o.command_line += " -T" + std::to_string(o.timing_level);
    if (!o.db.empty()) o.command_line += " --db " + o.db;
    if (!o.outputs.normal.empty()) o.command_line += " -oN " + o.outputs.normal;
    if (!o.outputs.xml.empty()) o.command_line += " -oX " + o.outputs.xml;
    if (!o.outputs.json.empty()) o.command_line += " -oJ " + o.outputs.json;
    status = run_replay(o);
  });
}

} // namespace stackprint::cli
