// `stackprint scan [options] TARGET...`: live OS detection. Port discovery finds one open TCP, one
// closed TCP and one closed UDP port per host, then the OS-detection engine sends Nmap's probes to
// it; both stages run at once over up to --group-size hosts (session/scan_session.hpp), and each host
// is reported as soon as it finishes.
//
// Order of privileged work (ARCHITECTURE.md, "Privileges"): the raw socket and the capture are opened first,
// then privileges are dropped, and only then are replies, target lists and the database read.

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/base/random_source.hpp"
#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/cli/report_writer.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/privileges.hpp"
#include "stackprint/io/random.hpp"
#include "stackprint/io/resolve.hpp"
#include "stackprint/io/route.hpp"
#include "stackprint/io/sandbox.hpp"
#include "stackprint/io/scan_loop.hpp"
#include "stackprint/io/transport.hpp"
#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/progress.hpp"
#include "stackprint/output/services.hpp"
#include "stackprint/output/verbose_lines.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/session/host_reports.hpp"
#include "stackprint/session/scan_session.hpp"
#include "stackprint/targets/shard.hpp"
#include "stackprint/targets/target_spec.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::cli {
namespace {

std::atomic<bool> g_interrupted{false}; // set by SIGINT/SIGTERM; the only global, as signals demand

extern "C" void on_interrupt(int /*signal*/) { g_interrupted.store(true); }

// Rounds whose match results the Matcher keeps (Matcher::remember): more than the rounds that end
// in one turn of the scan loop, whose reports follow in that turn; about 2 MB.
constexpr std::size_t k_remembered_rounds = 256;
constexpr double k_max_scan_delay_s = 60; // a larger delay is a typo, not a plan

struct ScanOptions {
  std::vector<std::string> targets;
  std::string input_list;
  std::vector<std::string> excludes;
  std::string exclude_file;
  std::string ports;
  std::string interface;
  std::string source;
  std::string db_path;
  int max_os_tries = 5;
  bool osscan_guess = false;
  bool osscan_limit = false;
  double max_rate = 0;
  double min_rate = 0;
  bool no_congestion_control = false;
  int max_parallelism = 10;
  std::optional<double> host_timeout_s; // default: engine::default_host_timeout(--scan-delay)
  std::string scan_delay;
  int ttl = 0;
  int verbosity = 0;
  int debugging = 0;
  std::string services = "/usr/share/nmap/nmap-services";
  std::string stats_every;
  ReportDestinations outputs;
  std::string command_line;
  std::size_t group_size = engine::k_default_group_size;
  bool nmap_retries = false;
  bool no_partial_match = false;
  std::uint64_t seed = 0;
  std::string shard; // --shard I/N
  bool include_network_and_broadcast = false;
};

struct ScanTotals {
  std::uint64_t hosts_up = 0;
  std::uint64_t hosts_down = 0;
  std::uint64_t hosts_fingerprinted = 0;
  std::uint64_t packets_sent = 0;
  // Received packets not used, by reason (none of them is an error: networks send such things).
  std::uint64_t discovery_ignored = 0; // unparsable or unrelated during port discovery
  std::uint64_t malformed = 0;         // unparsable, or a bad IP header checksum
  std::uint64_t fragments = 0;         // IP fragments
  std::uint64_t foreign = 0;           // from an address not in flight
  std::uint64_t cross_host = 0;        // answering another scanned host's probe (spoofed)
  std::uint64_t unmatched = 0;         // from a host in flight but answering none of its probes
  std::uint64_t duplicates = 0;        // a second answer to an answered probe
  std::uint64_t capture_dropped = 0;   // lost by the kernel for lack of capture buffer (pcap_stats)
};

// One line for logs and tests: how many received packets were not used, and why.
std::string ignored_summary(const ScanTotals& t) {
  return "stackprint scan: replies ignored: " + std::to_string(t.discovery_ignored) + " in discovery, " +
         std::to_string(t.malformed) + " malformed, " + std::to_string(t.fragments) + " fragments, " +
         std::to_string(t.foreign) + " from unscanned addresses, " + std::to_string(t.cross_host) +
         " answering another host's probe, " + std::to_string(t.unmatched) + " unmatched, " +
         std::to_string(t.duplicates) + " duplicates; " + std::to_string(t.capture_dropped) +
         " dropped by the capture buffer";
}

// Reads an -iL/--excludefile list line by line, as the target stream consumes it.
targets::LineSource file_lines(const std::string& path, std::shared_ptr<FILE>& keep) {
  FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "r");
  keep = std::shared_ptr<FILE>(raw, [path](FILE* f) {
    if (f != nullptr && path != "-") { (void)std::fclose(f); } // read only: nothing is lost
  });
  std::shared_ptr<FILE> file = keep;
  return [file, path]() -> std::optional<Expected<std::string>> {
    if (!file) { return Expected<std::string>(fail("cannot read " + path)); }
    std::string line;
    int c = 0;
    while ((c = std::fgetc(file.get())) != EOF && c != '\n') { line.push_back(static_cast<char>(c)); }
    if (c == EOF && line.empty()) { return std::nullopt; }
    return Expected<std::string>(line);
  };
}

// The arguments that decide the target list, for the scan identity shards record.
std::vector<std::string> target_arguments(const ScanOptions& options) {
  std::vector<std::string> arguments = options.targets;
  arguments.push_back("-iL=" + options.input_list);
  for (const auto& exclude : options.excludes) { arguments.push_back("--exclude=" + exclude); }
  arguments.push_back("--excludefile=" + options.exclude_file);
  arguments.emplace_back(options.include_network_and_broadcast ? "+netbcast" : "-netbcast");
  return arguments;
}

// A set-up step that failed: its one-line message and the exit status.
struct Failure {
  std::string message;
  int status = k_exit_bad_input;
};
template <typename T> using Step = tl::expected<T, Failure>;
tl::unexpected<Failure> failure(std::string message, int status = k_exit_bad_input) {
  return tl::unexpected(Failure{std::move(message), status});
}

// What the arguments say, checked before anything is opened.
struct ScanInputs {
  std::optional<targets::Shard> shard;
  std::vector<targets::TargetSpec> specs;
  std::vector<targets::TargetSpec> exclude_specs;
  discovery::PortLists user_ports;
  io::RouteOverrides overrides;
  std::optional<double> stats_every;
  engine::Duration scan_delay{0};
};

Step<ScanInputs> parse_inputs(const ScanOptions& options) {
  ScanInputs in;
  if (options.max_rate > 0 && options.min_rate > options.max_rate) {
    return failure("--min-rate must not exceed --max-rate");
  }
  if (!options.shard.empty()) {
    auto parsed = targets::parse_shard(options.shard);
    if (!parsed) { return failure(parsed.error().message); }
    in.shard = *parsed;
  }
  for (const auto& token : options.targets) {
    auto spec = targets::parse_target_spec(token);
    if (!spec) { return failure(spec.error().message); }
    in.specs.push_back(*spec);
  }
  for (const auto& list : options.excludes) {
    for (const auto token : targets::split_target_line(list)) {
      std::string text(token);
      for (char& c : text) { c = c == ',' ? ' ' : c; }
      for (const auto part : targets::split_target_line(text)) {
        auto spec = targets::parse_target_spec(part);
        if (!spec) { return failure("--exclude: " + spec.error().message); }
        in.exclude_specs.push_back(*spec);
      }
    }
  }
  if (!options.exclude_file.empty()) {
    std::shared_ptr<FILE> keep;
    auto listed = targets::read_target_specs(file_lines(options.exclude_file, keep), options.exclude_file);
    if (!listed) { return failure("--excludefile: " + listed.error().message); }
    in.exclude_specs.insert(in.exclude_specs.end(), listed->begin(), listed->end());
  }
  if (in.specs.empty() && options.input_list.empty()) {
    return failure("no targets given (name addresses, CIDR blocks, ranges or hostnames, or use -iL FILE)");
  }
  if (!options.ports.empty()) {
    auto parsed = discovery::parse_port_spec(options.ports);
    if (!parsed) { return failure("-p: " + parsed.error().message); }
    in.user_ports = *parsed;
  }
  if (!options.interface.empty()) { in.overrides.interface = options.interface; }
  if (!options.source.empty()) {
    auto source = parse_ipv4_address(options.source);
    if (!source) { return failure("-S: " + source.error().message); }
    in.overrides.source = *source;
  }
  if (!options.stats_every.empty()) {
    in.stats_every = output::parse_nmap_time_s(options.stats_every);
    if (!in.stats_every) { return failure("--stats-every: not a time: " + options.stats_every); }
  }
  if (!options.scan_delay.empty()) {
    const auto delay = output::parse_nmap_time_s(options.scan_delay);
    if (!delay || *delay > k_max_scan_delay_s) {
      return failure("--scan-delay: not a time of at most " + std::to_string(static_cast<int>(k_max_scan_delay_s)) +
                     " s: " + options.scan_delay);
    }
    in.scan_delay = std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(*delay));
  }
  return in;
}

// The first valid target decides the route, and so the interface the handles are opened on. The
// targets read for it are handed to the session first.
struct FirstRoute {
  io::Route route;
  std::vector<targets::Target> pending;
};
Step<FirstRoute> first_route(targets::TargetStream& stream, const ScanInputs& in, const ScanOptions& options) {
  std::size_t bad_targets = 0;
  while (auto next = stream.next()) {
    if (!*next) {
      print_error("scan", next->error().message);
      ++bad_targets;
      continue;
    }
    auto found = io::lookup_route(next->value().address, in.overrides);
    if (!found) { return failure(found.error().message, k_exit_environment); }
    return FirstRoute{*found, {next->value()}};
  }
  return failure(bad_targets > 0 ? "no valid target left"
                 : in.shard      ? "shard " + options.shard + " holds no target of the list"
                                 : "the target list is empty");
}

output::RunInfo run_info(const ScanOptions& options, const discovery::PortLists& user_ports, std::int64_t start_s) {
  output::RunInfo info;
  info.program_version = STACKPRINT_VERSION;
  info.args = options.command_line;
  info.start_s = start_s;
  if (!user_ports.tcp.empty() || options.ports.empty()) {
    output::ScanInfo tcp_info;
    tcp_info.type = "syn";
    const auto tcp_ports = discovery::discovery_ports(options.ports.empty() ? nullptr : &user_ports, false).tcp;
    for (const auto port : tcp_ports) { tcp_info.services += (tcp_info.count++ > 0 ? "," : "") + std::to_string(port); }
    info.scaninfo.push_back(tcp_info);
  }
  if (!user_ports.udp.empty()) {
    output::ScanInfo udp_info;
    udp_info.type = "udp";
    udp_info.protocol = output::Protocol::udp;
    for (const auto port : user_ports.udp) {
      udp_info.services += (udp_info.count++ > 0 ? "," : "") + std::to_string(port);
    }
    info.scaninfo.push_back(udp_info);
  }
  return info;
}

output::OutputOptions output_options(const ScanOptions& options, const std::optional<targets::Shard>& shard,
                                     const output::RunInfo& info) {
  output::OutputOptions out;
  out.verbosity = output::effective_verbosity(options.verbosity, options.debugging);
  out.debugging = options.debugging;
  out.osscan_guess = options.osscan_guess;
  out.zone = local_time_zone(info.start_s);
  if (shard) {
    output::ShardLabel label;
    label.index = shard->index;
    label.count = shard->count;
    label.seed = options.seed;
    label.scan_id = targets::scan_identity(target_arguments(options), options.seed, shard->count);
    label.args = info.args;
    label.start_s = info.start_s;
    label.scaninfo = info.scaninfo;
    out.shard = std::move(label);
  }
  return out;
}

session::ScanSessionConfig session_config(const ScanOptions& options, const io::Route& route, const ScanInputs& in,
                                          std::uint64_t seed) {
  const discovery::PortLists& user_ports = in.user_ports;
  session::ScanSessionConfig config;
  config.os.source_address = route.source.value;
  config.os.max_os_tries = options.max_os_tries;
  config.os.window = static_cast<std::size_t>(options.max_parallelism);
  // --scan-delay spaces every probe to one host, as Nmap's does: SEQ probes at the larger of it and
  // their 100 ms, the other OS probes at the larger of it and their 25 ms, port discovery by it. A
  // host then needs longer, so the default host timeout grows with it.
  engine::apply_scan_delay(config.os, in.scan_delay);
  config.discovery_host_gap = in.scan_delay;
  config.os.host_timeout =
      options.host_timeout_s
          ? std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(*options.host_timeout_s))
          : engine::default_host_timeout(in.scan_delay);
  config.os.stop_when_stable = !options.nmap_retries;
  config.os.stop_when_complete = !options.nmap_retries;
  config.os.resend_only_missing = !options.nmap_retries;
  if (options.ttl > 0) { config.os.ttl = static_cast<std::uint8_t>(options.ttl); }
  config.rate.packets_per_second = options.max_rate;
  // Congestion control (docs/congestion.md): hosts in flight and the rate shrink when probes that
  // should answer go unanswered or the capture drops frames, and grow back.
  if (!options.no_congestion_control) {
    engine::CongestionConfig congestion;
    congestion.max_hosts = options.group_size;
    congestion.min_hosts = std::min<std::size_t>(congestion.min_hosts, options.group_size);
    congestion.max_rate = options.max_rate;
    congestion.min_rate = options.min_rate;
    config.congestion = congestion;
  }
  config.discovery_ports = discovery::discovery_ports(options.ports.empty() ? nullptr : &user_ports, false);
  config.source = route.source;
  config.max_hosts_in_flight = options.group_size;
  config.batch_size = std::max<std::size_t>(1, options.group_size / 4);
  config.discovery_timeout = config.os.host_timeout;
  config.direct = !route.gateway && !route.loopback;
  config.udp_port_scan = !user_ports.udp.empty();
  config.osscan_limit = options.osscan_limit;
  config.seed = seed;
  return config;
}

// What the user sees while the session runs: each host's report as soon as it is done (terminal
// and report files), bad targets, -v's try announcements and congestion decisions, the progress
// line and --stats-every lines.
class ScanConsole {
public:
  ScanConsole(const ScanOptions& options, const output::OutputOptions& out, const database::OsDb& db,
              scoring::Matcher& matcher, const output::ServiceNames& services, ReportWriter& writer,
              const io::Clock& clock, std::optional<double> stats_every, std::uint64_t hosts_known,
              std::int64_t started_s)
      : m_options(options), m_out(out), m_db(db), m_matcher(matcher), m_services(services), m_writer(writer),
        m_clock(clock), m_stats_every(stats_every), m_hosts_known(hosts_known), m_last_stats(clock.monotonic_now()),
        m_started_s(started_s) {}

  // The terminal gets the normal output unless a report already goes to standard output.
  [[nodiscard]] bool terminal() const {
    return m_options.outputs.normal != "-" && m_options.outputs.xml != "-" && m_options.outputs.json != "-";
  }
  [[nodiscard]] bool status_line() const { return isatty(STDERR_FILENO) != 0 && m_options.verbosity >= 0; }
  [[nodiscard]] std::int64_t wall_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(m_clock.wall_now().time_since_epoch()).count();
  }

  void on_turn(session::ScanSession& scan) {
    for (auto& event : scan.take_events()) { on_event(event); }
    if (announce()) {
      std::vector<const engine::HostOsScan*> hosts;
      for (const engine::HostOsScan* host : scan.os_scan().hosts()) {
        const auto seen = m_announced_tries.find(host->target().address);
        if (seen == m_announced_tries.end() || seen->second < host->tries_started()) { hosts.push_back(host); }
      }
      if (!hosts.empty()) { announce_tries(hosts); }
    }
    report_progress(scan.hosts_in_flight_count());
  }

private:
  [[nodiscard]] bool announce() const { return terminal() && m_out.verbosity > 0; }

  void report_host(const output::HostReport& report) {
    ++m_hosts_done;
    const std::int64_t now_s = wall_seconds();
    if (terminal()) { print_text(stdout, output::normal_host(m_db, report, m_out, now_s), true); }
    m_writer.write_host(m_db, report, now_s);
  }

  void on_event(session::SessionEvent& event) {
    if (auto* bad = std::get_if<session::BadTarget>(&event)) {
      print_error("scan", bad->message);
    } else if (auto* down = std::get_if<session::HostDown>(&event)) {
      report_host(session::down_host_report(down->context, wall_seconds()));
    } else if (auto* skipped = std::get_if<session::HostSkipped>(&event)) {
      report_host(session::skipped_host_report(skipped->context, m_services, wall_seconds()));
    } else if (auto* scanned = std::get_if<session::HostScanned>(&event)) {
      if (announce()) {
        const std::array<const engine::HostOsScan*, 1> done{&scanned->os};
        announce_tries(done);
      }
      m_announced_tries.erase(scanned->os.target().address);
      report_host(session::os_host_report(scanned->context, scanned->os, m_matcher, !m_options.no_partial_match,
                                          m_services, wall_seconds()));
    } else if (auto* congestion = std::get_if<session::CongestionChanged>(&event)) {
      if (m_options.verbosity > 0) { print_text(stderr, engine::describe(congestion->decision) + "\n"); }
    }
  }

  // -v: Nmap's try announcements, one line per try number for the hosts that reached it since the
  // last look (docs/nmap-behaviour.md 5.4).
  void announce_tries(std::span<const engine::HostOsScan* const> hosts) {
    std::map<int, std::vector<std::uint32_t>> reached;
    for (const auto* host : hosts) {
      int& announced = m_announced_tries[host->target().address];
      for (int round = announced + 1; round <= host->tries_started(); ++round) {
        reached[round].push_back(host->target().address);
      }
      announced = std::max(announced, host->tries_started());
    }
    for (const auto& [round, addresses] : reached) {
      print_text(stdout,
                 output::os_detection_try_line(round, addresses.size(), to_string(Ipv4Address{addresses.front()})) +
                     "\n",
                 true);
    }
  }

  // Progress: a status line redrawn on a terminal's stderr, and --stats-every lines for logs.
  void report_progress(std::size_t hosts_active) {
    output::Progress progress;
    progress.done = m_hosts_done;
    progress.total = static_cast<std::size_t>(m_hosts_known);
    progress.active = hosts_active;
    progress.elapsed_s = static_cast<double>(wall_seconds() - m_started_s);
    if (status_line()) { print_text(stderr, "\r" + output::progress_status_line(progress) + "\033[K"); }
    const auto now = m_clock.monotonic_now();
    if (m_stats_every && std::chrono::duration<double>(now - m_last_stats).count() >= *m_stats_every) {
      m_last_stats = now;
      print_text(stderr, output::progress_stats_line(progress) + "\n");
    }
  }

  const ScanOptions& m_options;
  const output::OutputOptions& m_out;
  const database::OsDb& m_db;
  scoring::Matcher& m_matcher;
  const output::ServiceNames& m_services;
  ReportWriter& m_writer;
  const io::Clock& m_clock;
  std::optional<double> m_stats_every;
  std::uint64_t m_hosts_known;
  io::MonotonicTime m_last_stats;
  std::int64_t m_started_s;
  std::size_t m_hosts_done = 0;
  std::unordered_map<std::uint32_t, int> m_announced_tries;
};

// The footer, the summary of the report files, the counters on stderr and the exit status.
int finish_scan(const ScanOptions& options, const output::OutputOptions& out, const ScanConsole& console,
                ReportWriter& writer, const session::ScanSession& scan, const io::ScanLoopStats& ran,
                io::LiveTransport& transport, double elapsed_s, const std::string& db_path, bool stats_every) {
  const session::SessionTotals& counted = scan.totals();
  ScanTotals totals;
  totals.hosts_up = counted.hosts_up;
  totals.hosts_down = counted.hosts_down;
  totals.hosts_fingerprinted = counted.hosts_fingerprinted;
  totals.discovery_ignored = counted.discovery_ignored;
  totals.unmatched = counted.unmatched;
  totals.duplicates = counted.duplicates;
  totals.packets_sent = ran.packets_sent;
  totals.malformed = scan.os_scan().malformed_frames();
  totals.fragments = scan.os_scan().fragment_frames();
  totals.foreign = scan.os_scan().foreign_frames();
  totals.cross_host = scan.os_scan().cross_host_frames();
  const bool interrupted = g_interrupted.load();
  if (console.status_line()) { print_text(stderr, "\r\033[K"); }
  output::RunSummary summary;
  summary.end_s = console.wall_seconds();
  summary.elapsed_s = elapsed_s;
  summary.hosts_up = static_cast<unsigned>(totals.hosts_up);
  summary.hosts_down = static_cast<unsigned>(totals.hosts_down);
  if (interrupted) {
    summary.success = false;
    summary.error_message = "interrupted";
  }
  if (out.verbosity > 0) { summary.data_directory = output::data_files_directory(db_path); }
  if (console.terminal()) {
    print_text(stdout, output::normal_footer(summary, out.zone, false), true);
    if (out.verbosity > 0) {
      output::RawPacketTotals raw;
      raw.packets_sent = ran.packets_sent;
      raw.bytes_sent = ran.bytes_sent;
      raw.packets_received = ran.frames_received;
      raw.bytes_received = ran.bytes_received;
      print_text(stdout, output::raw_packets_line(raw) + "\n", true);
    }
  }
  const bool written = writer.finish(summary);
  if (interrupted) {
    print_error("scan", fmt::format("interrupted; the hosts reported above are complete ({} packets sent)",
                                    totals.packets_sent));
  } else if (options.verbosity > 0) {
    print_error("scan", fmt::format("{} packets sent", totals.packets_sent));
  }
  if (options.verbosity > 0 || stats_every) {
    if (const auto capture = transport.capture().stats()) { totals.capture_dropped = capture->dropped; }
    print_text(stderr, ignored_summary(totals) + "\n");
  }
  if (!written) { print_error("scan", "writing the reports failed"); }
  return scan_exit_status(interrupted, written, totals.hosts_up);
}

int failed(const Failure& f) {
  print_error("scan", f.message);
  return f.status;
}

int run_scan(const ScanOptions& options) {
  const auto in = parse_inputs(options);
  if (!in) { return failed(in.error()); }
  // The target stream: command-line specs first, then -iL.
  targets::TargetOptions target_options;
  target_options.include_network_and_broadcast = options.include_network_and_broadcast;
  const targets::Resolver resolver = io::make_resolver();
  auto exclusions = targets::ExclusionSet::build(in->exclude_specs, resolver);
  if (!exclusions) { return failed({"--exclude: " + exclusions.error().message}); }
  targets::TargetStream stream(in->specs, target_options, *exclusions, resolver);
  std::shared_ptr<FILE> list_file;
  if (!options.input_list.empty()) {
    stream.append_list(file_lines(options.input_list, list_file), options.input_list);
  }
  // The shard permutation is keyed by --seed as given (0 when absent), so shards started without
  // --seed still agree; the probes' own random values are seeded separately below.
  if (in->shard) { stream.restrict_to_shard(*in->shard, options.seed); }
  auto first = first_route(stream, *in, options);
  if (!first) { return failed(first.error()); }
  const io::Route& route = first->route;

  if (auto privileged = io::require_raw_privileges(); !privileged) {
    return failed({privileged.error().message, k_exit_environment});
  }
  io::CaptureFilterOptions filter_options;
  filter_options.include_udp = !in->user_ports.udp.empty();
  auto transport = io::LiveTransport::open(route, {}, filter_options);
  if (!transport) { return failed({transport.error().message, k_exit_environment}); }
  io::SystemClock clock;
  const std::uint64_t seed = options.seed != 0 ? options.seed : io::system_seed();
  (void)std::signal(SIGINT, on_interrupt); // cannot fail for these two signals
  (void)std::signal(SIGTERM, on_interrupt);
  const auto scan_started = clock.monotonic_now();
  const output::RunInfo info =
      run_info(options, in->user_ports,
               std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count());
  const output::OutputOptions out = output_options(options, in->shard, info);
  // Report files are created before the privilege drop, like Nmap's, so that a root user can
  // write them where an unprivileged one could not.
  ReportWriter writer;
  if (auto opened = writer.open(options.outputs, info, out); !opened) {
    return failed({opened.error().message, k_exit_environment});
  }
  if (io::current_privileges().effective_root || io::current_privileges().any_capability) {
    if (auto dropped = io::drop_privileges(); !dropped) {
      return failed({"cannot drop privileges: " + dropped.error().message, k_exit_environment});
    }
  }

  // From here on nothing runs with privilege.
  const std::string db_path = resolve_os_db_path(options.db_path);
  auto db = load_os_db_file(db_path);
  if (!db) { return failed({db.error().message}); }
  scoring::Matcher matcher(*db);
  // Each round is matched by the round judge and again, in the same turn of the scan loop, for its
  // host's report: the results of the last rounds judged are kept for the second match.
  matcher.remember(k_remembered_rounds);
  output::ServiceNames services;
  if (!options.services.empty()) {
    if (auto text = read_text_file(options.services)) { services = output::ServiceNames::parse(*text); }
  }
  // Every file is open now. Hostnames (and -iL lists, which may name them) are resolved as the
  // stream reaches them, which opens resolver files and sockets, so only scans of addresses,
  // ranges and blocks run under the seccomp allow-list (io/sandbox.hpp).
  const bool addresses_only = options.input_list.empty() &&
                              std::none_of(in->specs.begin(), in->specs.end(), [](const targets::TargetSpec& spec) {
                                return std::holds_alternative<targets::HostnameSpec>(spec.form);
                              });
  if (addresses_only) {
    if (auto sandboxed = io::install_sandbox(io::SandboxProfile::scan); !sandboxed) {
      return failed({sandboxed.error().message, k_exit_environment});
    }
  }
  ScanConsole console(options, out, *db, matcher, services, writer, clock, in->stats_every, stream.command_line_count(),
                      info.start_s);
  if (console.terminal()) { print_text(stdout, output::terminal_header(info, out.zone)); }

  session::ScanSession scan(session_config(options, route, *in, seed), session::feed_targets(stream, first->pending),
                            session::round_judge(matcher));
  io::ScanLoopLimits limits;
  limits.stop = &g_interrupted;
  limits.narrow_capture = [&](std::span<const Ipv4Address> hosts) {
    return transport->set_targets(route.source, hosts, filter_options);
  };
  limits.on_turn = [&] { console.on_turn(scan); };
  auto ran = io::run_scan_session(*transport, scan, clock, limits);
  if (!ran) { return failed({ran.error().message, k_exit_environment}); }
  return finish_scan(options, out, console, writer, scan, *ran, *transport,
                     std::chrono::duration<double>(clock.monotonic_now() - scan_started).count(), db_path,
                     in->stats_every.has_value());
}

} // namespace

void add_scan_command(CLI::App& app, int& status) {
  auto options = std::make_shared<ScanOptions>();
  auto* cmd = app.add_subcommand("scan", "Detect the operating system of live hosts (Nmap -O compatible)");
  cmd->add_option("targets", options->targets, "Addresses, CIDR blocks, Nmap ranges (10.0.0-3.1-254) or hostnames");
  cmd->add_option("--iL", options->input_list,
                  "-iL FILE: read targets from FILE (one or more per line, # comments; - for stdin)");
  cmd->add_option("--exclude", options->excludes, "Targets to skip (comma-separated specs)");
  cmd->add_option("--excludefile", options->exclude_file, "Targets to skip, read from FILE");
  cmd->add_option("-p", options->ports, "Ports to probe in discovery, Nmap syntax (22,80,T:443,U:53)");
  cmd->add_option("-e", options->interface, "Network interface to use");
  cmd->add_option("-S", options->source, "Source address");
  cmd->add_option("--db", options->db_path, "nmap-os-db path (default: $STACKPRINT_DB or /usr/share/nmap/nmap-os-db)");
  cmd->add_option("--max-os-tries", options->max_os_tries, "OS detection rounds per host at most (Nmap: 5)")
      ->check(CLI::Range(1, 50));
  cmd->add_flag("--osscan-guess,--fuzzy", options->osscan_guess, "Print aggressive guesses");
  cmd->add_flag("--osscan-limit", options->osscan_limit, "Skip hosts without one open and one closed TCP port");
  cmd->add_option("--max-rate", options->max_rate, "Packets per second at most (0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--min-rate", options->min_rate,
                  "Packets per second at least: congestion control never slows the scan below it")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-congestion-control", options->no_congestion_control,
                "Keep --group-size hosts in flight and --max-rate even when replies go missing");
  cmd->add_option("--max-parallelism", options->max_parallelism, "Probes in flight per host at most")
      ->check(CLI::Range(1, 300));
  cmd->add_option("--host-timeout", options->host_timeout_s,
                  "Give up on a host after this many seconds (default: 60, plus 64 x --scan-delay)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--scan-delay", options->scan_delay,
                  "At least TIME between two probes to one host (400ms, 1s; SEQ probes: at least 100 ms)");
  cmd->add_option("--ttl", options->ttl, "IP TTL of TCP and ICMP probes (default: random 37-59 as Nmap)")
      ->check(CLI::Range(1, 255));
  cmd->add_flag("-v,--verbose", options->verbosity, "More output, as Nmap's -v (repeat: -vv)");
  cmd->add_flag("-d,--debug", options->debugging, "Debug level, as Nmap's -d (lists more than 8 perfect matches)");
  cmd->add_option("--services", options->services, "nmap-services file for port names ('' for none)");
  cmd->add_option("--stats-every", options->stats_every, "Print a progress line to stderr every TIME (10s, 1m)");
  add_report_options(*cmd, options->outputs);
  cmd->add_option("--group-size", options->group_size,
                  "Hosts in flight at once, in discovery and OS detection together (memory is bounded by this)")
      ->check(CLI::Range(1, 65536));
  cmd->add_flag("--nmap-retries", options->nmap_retries,
                "Retry like Nmap 7.93 (up to --max-os-tries) even when rounds agree");
  cmd->add_flag("--no-partial-match", options->no_partial_match,
                "Match probes blamed on a filter as R=N, as Nmap does (default: match without them)");
  cmd->add_option("--seed", options->seed, "Seed for the random values (repeatable runs)");
  cmd->add_option("--shard", options->shard,
                  "I/N: scan only shard I of N disjoint shards of the targets (give every shard the same --seed)");
  cmd->add_flag("--include-network-broadcast", options->include_network_and_broadcast,
                "Also scan the network and broadcast addresses of CIDR blocks");
  cmd->callback([options, &status] {
    options->command_line = "stackprint scan";
    if (!options->ports.empty()) { options->command_line += " -p " + options->ports; }
    for (const auto& target : options->targets) { options->command_line += " " + target; }
    status = run_scan(*options);
  });
}

} // namespace stackprint::cli
