// `stackprint scan [options] TARGET...`: live OS detection. Port discovery finds one open TCP, one
// closed TCP and one closed UDP port per host, then the OS-detection engine sends Nmap's probes to
// every host of a group at once, and each host is reported as soon as it finishes.
//
// Order of privileged work (architecture B9): the raw socket and the capture are opened first,
// then privileges are dropped, and only then are replies, target lists and the database read.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/cli/scan_report.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/discovery_runner.hpp"
#include "stackprint/io/os_scan_runner.hpp"
#include "stackprint/io/privileges.hpp"
#include "stackprint/io/random.hpp"
#include "stackprint/io/resolve.hpp"
#include "stackprint/io/route.hpp"
#include "stackprint/io/transport.hpp"
#include "stackprint/scoring/matcher.hpp"
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
  int max_parallelism = 10;
  double host_timeout_s = 60;
  int ttl = 0;
  int verbosity = 0;
  std::size_t group_size = 256;
  bool nmap_retries = false;
  std::uint64_t seed = 0;
  bool include_network_and_broadcast = false;
};

void print_error(const std::string& message) { std::fprintf(stderr, "stackprint scan: %s\n", message.c_str()); }

// Reads an -iL/--excludefile list line by line, as the target stream consumes it.
targets::LineSource file_lines(const std::string& path, std::shared_ptr<FILE>& keep) {
  FILE* raw = path == "-" ? stdin : std::fopen(path.c_str(), "r");
  keep = std::shared_ptr<FILE>(raw, [path](FILE* f) {
    if (f != nullptr && path != "-") {
      std::fclose(f);
    }
  });
  std::shared_ptr<FILE> file = keep;
  return [file, path]() -> std::optional<Expected<std::string>> {
    if (!file) {
      return Expected<std::string>(fail("cannot read " + path));
    }
    std::string line;
    int c = 0;
    while ((c = std::fgetc(file.get())) != EOF && c != '\n') {
      line.push_back(static_cast<char>(c));
    }
    if (c == EOF && line.empty()) {
      return std::nullopt;
    }
    return Expected<std::string>(line);
  };
}

int run_scan(const ScanOptions& options) {
  std::vector<targets::TargetSpec> specs;
  for (const auto& token : options.targets) {
    auto spec = targets::parse_target_spec(token);
    if (!spec) {
      print_error(spec.error().message);
      return k_exit_bad_input;
    }
    specs.push_back(*spec);
  }
  std::vector<targets::TargetSpec> exclude_specs;
  for (const auto& list : options.excludes) {
    for (const auto token : targets::split_target_line(list)) {
      std::string text(token);
      for (char& c : text) {
        c = c == ',' ? ' ' : c;
      }
      for (const auto part : targets::split_target_line(text)) {
        auto spec = targets::parse_target_spec(part);
        if (!spec) {
          print_error("--exclude: " + spec.error().message);
          return k_exit_bad_input;
        }
        exclude_specs.push_back(*spec);
      }
    }
  }
  if (specs.empty() && options.input_list.empty()) {
    print_error("no targets given (name addresses, CIDR blocks, ranges or hostnames, or use -iL FILE)");
    return k_exit_bad_input;
  }
  discovery::PortLists user_ports;
  if (!options.ports.empty()) {
    auto parsed = discovery::parse_port_spec(options.ports);
    if (!parsed) {
      print_error("-p: " + parsed.error().message);
      return k_exit_bad_input;
    }
    user_ports = *parsed;
  }
  io::RouteOverrides overrides;
  if (!options.interface.empty()) {
    overrides.interface = options.interface;
  }
  if (!options.source.empty()) {
    auto source = targets::parse_ipv4(options.source);
    if (!source) {
      print_error("-S: " + source.error().message);
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
    print_error("--exclude: " + exclusions.error().message);
    return k_exit_bad_input;
  }
  targets::TargetStream stream(specs, target_options, *exclusions, resolver);
  std::shared_ptr<FILE> list_file;
  if (!options.input_list.empty()) {
    stream.append_list(file_lines(options.input_list, list_file), options.input_list);
  }

  // The first target decides the route, and so the interface the handles are opened on.
  std::vector<targets::Target> pending;
  std::size_t bad_targets = 0;
  std::optional<io::Route> route;
  while (!route) {
    auto next = stream.next();
    if (!next) {
      break;
    }
    if (!*next) {
      print_error(next->error().message);
      ++bad_targets;
      continue;
    }
    auto found = io::lookup_route(next->value().address, overrides);
    if (!found) {
      print_error(found.error().message);
      return k_exit_environment;
    }
    route = *found;
    pending.push_back(next->value());
  }
  if (!route) {
    print_error(bad_targets > 0 ? "no valid target left" : "the target list is empty");
    return k_exit_bad_input;
  }

  if (auto privileged = io::require_raw_privileges(); !privileged) {
    print_error(privileged.error().message);
    return k_exit_bad_input;
  }
  const bool probe_udp = !user_ports.udp.empty();
  io::CaptureFilterOptions filter_options;
  filter_options.include_udp = probe_udp;
  auto transport = io::LiveTransport::open(*route, {}, filter_options);
  if (!transport) {
    print_error(transport.error().message);
    return k_exit_environment;
  }
  if (io::current_privileges().effective_root || io::current_privileges().any_capability) {
    if (auto dropped = io::drop_privileges(); !dropped) {
      print_error("cannot drop privileges: " + dropped.error().message);
      return k_exit_environment;
    }
  }

  // From here on nothing runs with privilege.
  auto db = load_os_db_file(resolve_os_db_path(options.db_path));
  if (!db) {
    print_error(db.error().message);
    return k_exit_bad_input;
  }
  scoring::Matcher matcher(*db);
  const engine::RoundJudge judge = [&matcher](const fingerprint::Fingerprint& fp) {
    const auto result = matcher.match(fp);
    return result.outcome == scoring::Outcome::success && result.perfect_matches > 0;
  };

  io::SystemClock clock;
  const std::uint64_t seed = options.seed != 0 ? options.seed : io::system_seed();
  io::SeededRandom random(seed);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  ReportSettings settings;
  settings.osscan_guess = options.osscan_guess;
  settings.verbosity = options.verbosity;
  ScanTotals totals;
  const auto scan_started = clock.wall_now();

  engine::OsScanConfig os_config;
  os_config.source_address = route->source.value;
  os_config.max_os_tries = options.max_os_tries;
  os_config.window = static_cast<std::size_t>(options.max_parallelism);
  os_config.host_timeout = std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(options.host_timeout_s));
  os_config.stop_when_stable = !options.nmap_retries;
  if (options.ttl > 0) {
    os_config.ttl = static_cast<std::uint8_t>(options.ttl);
  }
  engine::RateLimit rate;
  rate.packets_per_second = options.max_rate;

  bool stream_done = false;
  while (!stream_done && !g_interrupted.load()) {
    // One host group: discovery, then OS detection of the hosts that are up.
    while (pending.size() < options.group_size) {
      auto next = stream.next();
      if (!next) {
        stream_done = true;
        break;
      }
      if (!*next) {
        print_error(next->error().message);
        ++bad_targets;
        continue;
      }
      pending.push_back(next->value());
    }
    if (pending.empty()) {
      break;
    }
    std::vector<targets::Ipv4Address> addresses;
    for (const auto& t : pending) {
      addresses.push_back(t.address);
    }
    if (auto narrowed = transport->set_targets(route->source, addresses, filter_options); !narrowed) {
      print_error(narrowed.error().message);
      return k_exit_environment;
    }
    discovery::DiscoveryConfig discovery_config;
    discovery_config.ports = discovery::discovery_ports(options.ports.empty() ? nullptr : &user_ports, false);
    discovery_config.source_address = route->source;
    discovery_config.tcp_source_port = static_cast<std::uint16_t>(random.between(33000, 60999));
    discovery_config.udp_source_port = static_cast<std::uint16_t>(random.between(33000, 60999));
    discovery_config.sequence_secret = random.next_u32();
    discovery_config.random_tcp_draw = random.next_u32();
    discovery_config.random_udp_draw = random.next_u32();
    if (options.max_rate > 0) {
      discovery_config.send_gap = std::chrono::duration_cast<discovery::Duration>(
          std::chrono::duration<double>(1.0 / options.max_rate));
    }
    discovery::PortDiscovery port_discovery(discovery_config, addresses);
    io::RunLimits discovery_limits;
    discovery_limits.max_duration = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(options.host_timeout_s));
    auto discovered = io::run_port_discovery(*transport, port_discovery, route->source, clock, discovery_limits);
    if (!discovered) {
      print_error(discovered.error().message);
      return k_exit_environment;
    }
    totals.packets_sent += discovered->packets_sent;

    engine::OsScan scan(os_config, judge, random.next_u32() | (std::uint64_t{random.next_u32()} << 32), rate);
    std::vector<HostContext> contexts;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const auto& host = port_discovery.hosts()[i];
      HostContext context;
      context.target = pending[i];
      context.discovery = host;
      context.direct = !route->gateway && !route->loopback;
      if (host.status != discovery::HostStatus::up) {
        ++totals.hosts_down;
        print_host_down(context, settings);
        continue;
      }
      ++totals.hosts_up;
      engine::HostTarget target;
      target.address = host.address.value;
      target.open_tcp_port = host.selected.open_tcp;
      target.closed_tcp_port = host.selected.closed_tcp;
      target.closed_tcp_known = host.selected.closed_tcp_known;
      target.closed_udp_port = host.selected.closed_udp;
      target.closed_udp_known = host.selected.closed_udp_known;
      target.initial_timeout = host.timeout;
      target.conditions_not_ideal = !host.selected.open_tcp || !host.selected.closed_tcp_known;
      if (options.osscan_limit && target.conditions_not_ideal) {
        print_host_skipped(context, settings);
        continue;
      }
      contexts.push_back(context);
      scan.add_host(target, clock.monotonic_now(), clock.wall_now());
    }
    pending.clear();
    io::OsScanRunLimits limits;
    limits.stop = &g_interrupted;
    auto ran = io::run_os_scan(
        *transport, scan, clock,
        [&](engine::HostOsScan&& host) {
          for (const auto& context : contexts) {
            if (context.target.address.value == host.target().address) {
              print_host_report(context, host, *db, matcher, probe_udp, settings, clock.wall_now());
              ++totals.hosts_fingerprinted;
              break;
            }
          }
        },
        limits);
    if (!ran) {
      print_error(ran.error().message);
      return k_exit_environment;
    }
    totals.packets_sent += ran->packets_sent;
  }
  totals.elapsed_s = std::chrono::duration<double>(clock.wall_now() - scan_started).count();
  print_scan_summary(totals, g_interrupted.load());
  if (g_interrupted.load()) {
    return k_exit_interrupted;
  }
  return totals.hosts_up > 0 ? k_exit_ok : k_exit_failure;
}

} // namespace

void add_scan_command(CLI::App& app, int& status) {
  auto options = std::make_shared<ScanOptions>();
  auto* cmd = app.add_subcommand("scan", "Detect the operating system of live hosts (Nmap -O compatible)");
  cmd->add_option("targets", options->targets, "Addresses, CIDR blocks, Nmap ranges (10.0.0-3.1-254) or hostnames");
  cmd->add_option("-i,-L,--iL", options->input_list, "Read targets from FILE (one or more per line, # comments)");
  cmd->add_option("--exclude", options->excludes, "Targets to skip (comma-separated specs)");
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
  cmd->add_option("--max-parallelism", options->max_parallelism, "Probes in flight per host at most")
      ->check(CLI::Range(1, 300));
  cmd->add_option("--host-timeout", options->host_timeout_s, "Give up on a host after this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--ttl", options->ttl, "IP TTL of TCP and ICMP probes (default: random 37-59 as Nmap)")
      ->check(CLI::Range(1, 255));
  cmd->add_flag("-v", options->verbosity, "More output (repeat for more)");
  cmd->add_option("--group-size", options->group_size, "Hosts per group (memory is bounded by this)")
      ->check(CLI::Range(1, 65536));
  cmd->add_flag("--nmap-retries", options->nmap_retries,
                "Retry like Nmap 7.93 (up to --max-os-tries) even when rounds agree");
  cmd->add_option("--seed", options->seed, "Seed for the random values (repeatable runs)");
  cmd->add_flag("--include-network-broadcast", options->include_network_and_broadcast,
                "Also scan the network and broadcast addresses of CIDR blocks");
  cmd->callback([options, &status] { status = run_scan(*options); });
}

} // namespace stackprint::cli
