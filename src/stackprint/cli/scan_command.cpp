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
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/privileges.hpp"
#include "stackprint/io/random.hpp"
#include "stackprint/io/resolve.hpp"
#include "stackprint/io/route.hpp"
#include "stackprint/io/sandbox.hpp"
#include "stackprint/io/scan_pipeline.hpp"
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
  double host_timeout_s = 60;
  int ttl = 0;
  int verbosity = 0;
  int debugging = 0;
  std::string services = "/usr/share/nmap/nmap-services";
  std::string stats_every;
  ReportDestinations outputs;
  std::string command_line;
  std::size_t group_size = 1024;
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

int run_scan(const ScanOptions& options) {
  if (options.max_rate > 0 && options.min_rate > options.max_rate) {
    print_error("scan", "--min-rate must not exceed --max-rate");
    return k_exit_bad_input;
  }
  std::optional<targets::Shard> shard;
  if (!options.shard.empty()) {
    auto parsed = targets::parse_shard(options.shard);
    if (!parsed) {
      print_error("scan", parsed.error().message);
      return k_exit_bad_input;
    }
    shard = *parsed;
  }
  std::vector<targets::TargetSpec> specs;
  for (const auto& token : options.targets) {
    auto spec = targets::parse_target_spec(token);
    if (!spec) {
      print_error("scan", spec.error().message);
      return k_exit_bad_input;
    }
    specs.push_back(*spec);
  }
  std::vector<targets::TargetSpec> exclude_specs;
  for (const auto& list : options.excludes) {
    for (const auto token : targets::split_target_line(list)) {
      std::string text(token);
      for (char& c : text) { c = c == ',' ? ' ' : c; }
      for (const auto part : targets::split_target_line(text)) {
        auto spec = targets::parse_target_spec(part);
        if (!spec) {
          print_error("scan", "--exclude: " + spec.error().message);
          return k_exit_bad_input;
        }
        exclude_specs.push_back(*spec);
      }
    }
  }
  if (!options.exclude_file.empty()) {
    std::shared_ptr<FILE> keep;
    auto listed = targets::read_target_specs(file_lines(options.exclude_file, keep), options.exclude_file);
    if (!listed) {
      print_error("scan", "--excludefile: " + listed.error().message);
      return k_exit_bad_input;
    }
    exclude_specs.insert(exclude_specs.end(), listed->begin(), listed->end());
  }
  if (specs.empty() && options.input_list.empty()) {
    print_error("scan", "no targets given (name addresses, CIDR blocks, ranges or hostnames, or use -iL FILE)");
    return k_exit_bad_input;
  }
  discovery::PortLists user_ports;
  if (!options.ports.empty()) {
    auto parsed = discovery::parse_port_spec(options.ports);
    if (!parsed) {
      print_error("scan", "-p: " + parsed.error().message);
      return k_exit_bad_input;
    }
    user_ports = *parsed;
  }
  io::RouteOverrides overrides;
  if (!options.interface.empty()) { overrides.interface = options.interface; }
  if (!options.source.empty()) {
    auto source = parse_ipv4_address(options.source);
    if (!source) {
      print_error("scan", "-S: " + source.error().message);
      return k_exit_bad_input;
    }
    overrides.source = *source;
  }

  // The target stream: command-line specs first, then -iL.
  targets::TargetOptions target_options;
  target_options.include_network_and_broadcast = options.include_network_and_broadcast;
  const targets::Resolver resolver = io::make_resolver();
  auto exclusions = targets::ExclusionSet::build(exclude_specs, resolver);
  if (!exclusions) {
    print_error("scan", "--exclude: " + exclusions.error().message);
    return k_exit_bad_input;
  }
  targets::TargetStream stream(specs, target_options, *exclusions, resolver);
  std::shared_ptr<FILE> list_file;
  if (!options.input_list.empty()) {
    stream.append_list(file_lines(options.input_list, list_file), options.input_list);
  }
  // The shard permutation is keyed by --seed as given (0 when absent), so shards started without
  // --seed still agree; the probes' own random values are seeded separately below.
  if (shard) { stream.restrict_to_shard(*shard, options.seed); }

  // The first target decides the route, and so the interface the handles are opened on.
  std::vector<targets::Target> pending;
  std::size_t bad_targets = 0;
  std::optional<io::Route> route;
  while (!route) {
    auto next = stream.next();
    if (!next) { break; }
    if (!*next) {
      print_error("scan", next->error().message);
      ++bad_targets;
      continue;
    }
    auto found = io::lookup_route(next->value().address, overrides);
    if (!found) {
      print_error("scan", found.error().message);
      return k_exit_environment;
    }
    route = *found;
    pending.push_back(next->value());
  }
  if (!route) {
    print_error("scan", bad_targets > 0 ? "no valid target left"
                        : shard         ? "shard " + options.shard + " holds no target of the list"
                                        : "the target list is empty");
    return k_exit_bad_input;
  }

  if (auto privileged = io::require_raw_privileges(); !privileged) {
    print_error("scan", privileged.error().message);
    return k_exit_environment;
  }
  const bool probe_udp = !user_ports.udp.empty();
  io::CaptureFilterOptions filter_options;
  filter_options.include_udp = probe_udp;
  auto transport = io::LiveTransport::open(*route, {}, filter_options);
  if (!transport) {
    print_error("scan", transport.error().message);
    return k_exit_environment;
  }
  // Report files are created before the privilege drop, like Nmap's, so that a root user can
  // write them where an unprivileged one could not.
  io::SystemClock clock;
  const std::uint64_t seed = options.seed != 0 ? options.seed : io::system_seed();
  (void)std::signal(SIGINT, on_interrupt); // cannot fail for these two signals
  (void)std::signal(SIGTERM, on_interrupt);

  const auto wall_seconds = [&clock] {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count();
  };
  const std::int64_t started_s = wall_seconds();
  const auto scan_started = clock.monotonic_now();
  output::OutputOptions out_options;
  out_options.verbosity = output::effective_verbosity(options.verbosity, options.debugging);
  out_options.debugging = options.debugging;
  out_options.osscan_guess = options.osscan_guess;
  out_options.zone = local_time_zone(started_s);
  if (shard) {
    output::ShardLabel label;
    label.index = shard->index;
    label.count = shard->count;
    label.seed = options.seed;
    label.scan_id = targets::scan_identity(target_arguments(options), options.seed, shard->count);
    out_options.shard = std::move(label);
  }
  output::RunInfo info;
  info.program_version = STACKPRINT_VERSION;
  info.args = options.command_line;
  info.start_s = started_s;
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
  if (out_options.shard) {
    out_options.shard->args = info.args;
    out_options.shard->start_s = info.start_s;
    out_options.shard->scaninfo = info.scaninfo;
  }
  ReportWriter writer;
  if (auto opened = writer.open(options.outputs, info, out_options); !opened) {
    print_error("scan", opened.error().message);
    return k_exit_environment;
  }
  if (io::current_privileges().effective_root || io::current_privileges().any_capability) {
    if (auto dropped = io::drop_privileges(); !dropped) {
      print_error("scan", "cannot drop privileges: " + dropped.error().message);
      return k_exit_environment;
    }
  }

  // From here on nothing runs with privilege.
  const std::string db_path = resolve_os_db_path(options.db_path);
  auto db = load_os_db_file(db_path);
  if (!db) {
    print_error("scan", db.error().message);
    return k_exit_bad_input;
  }
  scoring::Matcher matcher(*db);
  output::ServiceNames services;
  if (!options.services.empty()) {
    if (auto text = read_text_file(options.services)) { services = output::ServiceNames::parse(*text); }
  }
  // Every file is open now. Hostnames (and -iL lists, which may name them) are resolved as the
  // stream reaches them, which opens resolver files and sockets, so only scans of addresses,
  // ranges and blocks run under the seccomp allow-list (io/sandbox.hpp).
  const bool addresses_only =
      options.input_list.empty() && std::none_of(specs.begin(), specs.end(), [](const targets::TargetSpec& spec) {
        return std::holds_alternative<targets::HostnameSpec>(spec.form);
      });
  if (addresses_only) {
    if (auto sandboxed = io::install_sandbox(io::SandboxProfile::scan); !sandboxed) {
      print_error("scan", sandboxed.error().message);
      return k_exit_environment;
    }
  }
  // The terminal gets the normal output unless a report already goes to standard output.
  const bool terminal = options.outputs.normal != "-" && options.outputs.xml != "-" && options.outputs.json != "-";
  if (terminal) { print_text(stdout, output::terminal_header(info, out_options.zone)); }
  const auto report_host = [&](const output::HostReport& report) {
    const std::int64_t now_s = wall_seconds();
    if (terminal) { print_text(stdout, output::normal_host(*db, report, out_options, now_s), true); }
    writer.write_host(*db, report, now_s);
  };
  // Progress: a status line redrawn on a terminal's stderr, and --stats-every lines for logs.
  const bool status_line = isatty(STDERR_FILENO) != 0 && options.verbosity >= 0;
  std::optional<double> stats_every;
  if (!options.stats_every.empty()) {
    stats_every = output::parse_nmap_time_s(options.stats_every);
    if (!stats_every) {
      print_error("scan", "--stats-every: not a time: " + options.stats_every);
      return k_exit_bad_input;
    }
  }
  auto last_stats = clock.monotonic_now();
  std::size_t hosts_done = 0;
  std::size_t hosts_active = 0;
  const std::uint64_t hosts_known = stream.command_line_count();
  const auto report_progress = [&] {
    output::Progress progress;
    progress.done = hosts_done;
    progress.total = static_cast<std::size_t>(hosts_known);
    progress.active = hosts_active;
    progress.elapsed_s = static_cast<double>(wall_seconds() - started_s);
    if (status_line) { print_text(stderr, "\r" + output::progress_status_line(progress) + "\033[K"); }
    const auto now = clock.monotonic_now();
    if (stats_every && std::chrono::duration<double>(now - last_stats).count() >= *stats_every) {
      last_stats = now;
      print_text(stderr, output::progress_stats_line(progress) + "\n");
    }
  };
  ScanTotals totals;

  session::ScanSessionConfig config;
  config.os.source_address = route->source.value;
  config.os.max_os_tries = options.max_os_tries;
  config.os.window = static_cast<std::size_t>(options.max_parallelism);
  config.os.host_timeout =
      std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(options.host_timeout_s));
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
  config.source = route->source;
  config.max_hosts_in_flight = options.group_size;
  config.batch_size = std::max<std::size_t>(1, options.group_size / 4);
  config.discovery_timeout =
      std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(options.host_timeout_s));
  config.direct = !route->gateway && !route->loopback;
  config.udp_port_scan = probe_udp;
  config.osscan_limit = options.osscan_limit;
  config.seed = seed;
  session::ScanSession scan_session(config, session::feed_targets(stream, std::move(pending)),
                                    session::round_judge(matcher));
  const engine::OsScan& scan = scan_session.os_scan();

  // -v: Nmap's try announcements, one line per try number for the hosts that reached it since the
  // last look (docs/nmap-behaviour.md 5.4).
  std::unordered_map<std::uint32_t, int> announced_tries;
  const auto announce_tries = [&](std::span<const engine::HostOsScan* const> hosts) {
    std::map<int, std::vector<std::uint32_t>> reached;
    for (const auto* host : hosts) {
      int& announced = announced_tries[host->target().address];
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
  };
  const bool announce = terminal && out_options.verbosity > 0;
  const auto on_event = [&](session::SessionEvent& event) {
    if (auto* bad = std::get_if<session::BadTarget>(&event)) {
      print_error("scan", bad->message);
    } else if (auto* down = std::get_if<session::HostDown>(&event)) {
      ++hosts_done;
      report_host(session::down_host_report(down->context, wall_seconds()));
    } else if (auto* skipped = std::get_if<session::HostSkipped>(&event)) {
      ++hosts_done;
      report_host(session::skipped_host_report(skipped->context, services, wall_seconds()));
    } else if (auto* scanned = std::get_if<session::HostScanned>(&event)) {
      if (announce) {
        const std::array<const engine::HostOsScan*, 1> done{&scanned->os};
        announce_tries(done);
      }
      announced_tries.erase(scanned->os.target().address);
      report_host(
          os_host_report(scanned->context, scanned->os, matcher, !options.no_partial_match, services, wall_seconds()));
      ++hosts_done;
    } else if (auto* congestion = std::get_if<session::CongestionChanged>(&event)) {
      if (options.verbosity > 0) { print_text(stderr, engine::describe(congestion->decision) + "\n"); }
    }
  };
  io::ScanPipelineLimits limits;
  limits.stop = &g_interrupted;
  limits.narrow_capture = [&](std::span<const Ipv4Address> hosts) {
    return transport->set_targets(route->source, hosts, filter_options);
  };
  limits.on_turn = [&] {
    for (auto& event : scan_session.take_events()) { on_event(event); }
    if (announce) {
      std::vector<const engine::HostOsScan*> hosts;
      for (const auto& host : scan.hosts()) {
        const auto seen = announced_tries.find(host.target().address);
        if (seen == announced_tries.end() || seen->second < host.tries_started()) { hosts.push_back(&host); }
      }
      if (!hosts.empty()) { announce_tries(hosts); }
    }
    hosts_active = scan_session.hosts_in_flight_count();
    report_progress();
  };
  auto ran = io::run_scan_pipeline(*transport, scan_session, clock, limits);
  if (!ran) {
    print_error("scan", ran.error().message);
    return k_exit_environment;
  }
  const session::SessionTotals& counted = scan_session.totals();
  totals.hosts_up = counted.hosts_up;
  totals.hosts_down = counted.hosts_down;
  totals.hosts_fingerprinted = counted.hosts_fingerprinted;
  totals.discovery_ignored = counted.discovery_ignored;
  totals.unmatched = counted.unmatched;
  totals.duplicates = counted.duplicates;
  totals.packets_sent += ran->packets_sent;
  totals.malformed += scan.malformed_frames();
  totals.fragments += scan.fragment_frames();
  totals.foreign += scan.foreign_frames();
  totals.cross_host += scan.cross_host_frames();
  if (status_line) { print_text(stderr, "\r\033[K"); }
  output::RunSummary summary;
  summary.end_s = wall_seconds();
  summary.elapsed_s = std::chrono::duration<double>(clock.monotonic_now() - scan_started).count();
  summary.hosts_up = static_cast<unsigned>(totals.hosts_up);
  summary.hosts_down = static_cast<unsigned>(totals.hosts_down);
  if (g_interrupted.load()) {
    summary.success = false;
    summary.error_message = "interrupted";
  }
  if (out_options.verbosity > 0) { summary.data_directory = output::data_files_directory(db_path); }
  if (terminal) {
    print_text(stdout, output::normal_footer(summary, out_options.zone, false), true);
    if (out_options.verbosity > 0) {
      output::RawPacketTotals raw;
      raw.packets_sent = ran->packets_sent;
      raw.bytes_sent = ran->bytes_sent;
      raw.packets_received = ran->frames_received;
      raw.bytes_received = ran->bytes_received;
      print_text(stdout, output::raw_packets_line(raw) + "\n", true);
    }
  }
  const bool written = writer.finish(summary);
  if (g_interrupted.load()) {
    print_error("scan", fmt::format("interrupted; the hosts reported above are complete ({} packets sent)",
                                    totals.packets_sent));
  } else if (options.verbosity > 0) {
    print_error("scan", fmt::format("{} packets sent", totals.packets_sent));
  }
  if (options.verbosity > 0 || stats_every) {
    if (const auto capture = transport->capture().stats()) { totals.capture_dropped = capture->dropped; }
    print_text(stderr, ignored_summary(totals) + "\n");
  }
  if (!written) {
    print_error("scan", "writing the reports failed");
    return k_exit_environment;
  }
  if (g_interrupted.load()) { return k_exit_interrupted; }
  return totals.hosts_up > 0 ? k_exit_ok : k_exit_failure;
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
  cmd->add_option("--host-timeout", options->host_timeout_s, "Give up on a host after this many seconds")
      ->check(CLI::PositiveNumber);
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
