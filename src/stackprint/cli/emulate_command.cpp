// `stackprint emulate --net CIDR --personality SELECTOR [--seed N] [--open-ports LIST] [--db PATH]
//                     [--loss P] [--delay MS[:JITTER]] [--rate-limit-icmp N/s] [--limit-icmp-errors]
//                     [--filter PROBES]
//                     [--default-deny] [--hostile KINDS [--hostile-hosts TARGETS]]
//                     [--tun NAME] [--duration S] [--self-check] [--user NAME]`
// Answers Nmap's OS-detection probes for every address of CIDR as the chosen nmap-os-db reference
// says that operating system would (emulation/). Run inside a network namespace: it creates a TUN
// device, routes CIDR to it, prints one JSON line per address ({"address","line","name"}), then
// serves until SIGINT/SIGTERM (or --duration seconds). The kernel never sees the emulated addresses
// as its own, so its stack stays out of the answers. With --self-check nothing touches the network:
// every emulated host is scanned in memory by the scanner's own session and loop (a ScanSession over
// io::EmulatedNetwork) and the JSON line tells whether the reference matches the fingerprint of the
// reported round perfectly. With --hostile, the hosts named by
// --hostile-hosts (all by default) also send malformed, duplicate, late, fragmented, flooding and
// spoofed packets (emulation/hostile.hpp); their JSON lines carry "hostile": true.
// SYN/ACKs from open ports are retransmitted as the reference's OS family would until the peer
// resets them (emulation/retransmission.hpp); --limit-icmp-errors rate-limits ICMP errors per
// destination like the Linux kernel (emulation/icmp_error_limit.hpp). docs/emulator-timing.md.
//
// Privileges: the TUN device is opened (and IPv4 forwarding enabled) as root, then the process
// becomes --user (default nobody) with no capabilities and no supplementary groups, before the
// first packet is read (io/privileges.hpp, ARCHITECTURE.md "Privileges").
//
// Exit status: 0 after a clean stop, 2 for unusable input (arguments, selector, database),
// 3 for environment problems (initial namespace, no TUN device, no privilege, an unknown --user,
// a failed privilege drop).

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/emulation/emulator_service.hpp"
#include "stackprint/emulation/host_plan.hpp"
#include "stackprint/emulation/hostile.hpp"
#include "stackprint/emulation/icmp_error_limit.hpp"
#include "stackprint/emulation/impairments.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/emulation/self_check.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/emulated_network.hpp"
#include "stackprint/io/emulator_loop.hpp"
#include "stackprint/io/privileges.hpp"
#include "stackprint/io/sandbox.hpp"
#include "stackprint/io/scan_loop.hpp"
#include "stackprint/io/tun_device.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/session/host_reports.hpp"
#include "stackprint/session/scan_session.hpp"
#include "stackprint/targets/target_spec.hpp"

namespace stackprint::cli {

namespace {

// Set by the SIGINT/SIGTERM handler: a signal handler can only talk to the loop through a
// lock-free flag, so this one piece of process-wide state is unavoidable.
volatile std::sig_atomic_t g_stop_requested = 0; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

extern "C" void request_stop(int /*signal*/) { g_stop_requested = 1; }

struct EmulateArgs {
  std::string net;
  std::string personality;
  std::uint64_t seed = 1;
  std::string open_ports = "22,80";
  std::string db_path;
  std::string loss;
  std::string delay;
  std::string icmp_rate;
  std::string filter;
  bool default_deny = false;
  bool limit_icmp_errors = false;
  std::string tun_name = "spemu0";
  double duration_s = 0.0;
  bool self_check = false;
  std::string hostile;
  std::vector<std::string> hostile_hosts;
  std::string user = "nobody";
};

// One emulated host's JSON line, completed by the self-check.
struct SelfCheckLine {
  std::uint32_t address = 0;
  std::size_t reference = 0;
  nlohmann::json line;
};

// --self-check: every host scanned in memory as `stackprint scan` would scan it (a ScanSession
// pumped by io::run_scan_session over io::EmulatedNetwork), then the fingerprint of the round its
// report chose compared with the reference it plays: "perfect", and the attributes that missed.
Expected<void> self_check(io::EmulatedNetwork& network, io::ManualClock& clock, std::vector<SelfCheckLine>& lines,
                          const std::vector<std::uint16_t>& open_ports, const database::OsDb& db,
                          scoring::Matcher& matcher, std::uint64_t seed) {
  session::ScanSessionConfig config;
  config.source = Ipv4Address{0x0A636401U}; // 10.99.100.1, never used on a network here
  config.os.source_address = config.source.value;
  // The open ports and the lowest closed one, as the port scan of a live scan would find them.
  std::uint16_t closed = 1;
  while (std::find(open_ports.begin(), open_ports.end(), closed) != open_ports.end()) ++closed;
  config.discovery_ports.tcp = open_ports;
  config.discovery_ports.tcp.push_back(closed);
  std::sort(config.discovery_ports.tcp.begin(), config.discovery_ports.tcp.end());
  config.seed = seed;
  std::size_t fed = 0;
  session::TargetFeed feed = [&]() -> std::optional<Expected<targets::Target>> {
    if (fed == lines.size()) return std::nullopt;
    return Expected<targets::Target>(targets::Target{Ipv4Address{lines[fed++].address}, {}});
  };
  session::ScanSession scan(config, feed, session::round_judge(matcher));
  std::unordered_map<std::uint32_t, fingerprint::Fingerprint> subjects;
  io::ScanLoopLimits limits;
  limits.on_turn = [&] {
    for (auto& event : scan.take_events()) {
      auto* done = std::get_if<session::HostScanned>(&event);
      if (done == nullptr) continue;
      const output::HostReport report = session::os_host_report(done->context, done->os, matcher, true, {}, 0);
      if (report.final_round.match_round < report.run.rounds.size()) {
        subjects[done->context.target.address.value] = report.run.rounds[report.final_round.match_round].fingerprint;
      }
    }
  };
  auto ran = io::run_scan_session(network, scan, clock, limits);
  if (!ran) return tl::unexpected(ran.error());
  for (auto& entry : lines) {
    const auto subject = subjects.find(entry.address);
    if (subject == subjects.end()) {
      // Not found up, or no round: nothing to compare.
      entry.line["perfect"] = false;
      entry.line["mismatches"] = std::vector<std::string>{"no OS detection round"};
      continue;
    }
    const auto score = matcher.compare(subject->second, entry.reference);
    entry.line["perfect"] = score.total > 0 && score.matched == score.total;
    entry.line["mismatches"] = emulation::mismatched_attributes(db, entry.reference, subject->second);
  }
  return {};
}

Expected<std::vector<std::uint16_t>> parse_ports(const std::string& text) {
  std::vector<std::uint16_t> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty() && text.empty()) break;
    const auto port = parse_decimal(item, 5, 99'999);
    if (!port) return fail("--open-ports '" + text + "': expected a comma-separated list of ports 1-65535");
    if (*port < 1 || *port > 65535) return fail(fmt::format("--open-ports '{}': port {} is out of range", text, item));
    out.push_back(static_cast<std::uint16_t>(*port));
  }
  return out;
}

int run_emulate(const EmulateArgs& args) {
  const auto addresses = emulation::emulated_addresses(args.net);
  if (!addresses) {
    print_error("emulate", addresses.error().message);
    return k_exit_bad_input;
  }
  const auto ports = parse_ports(args.open_ports);
  if (!ports) {
    print_error("emulate", ports.error().message);
    return k_exit_bad_input;
  }
  emulation::ImpairmentSpec spec;
  if (!args.loss.empty()) {
    const auto v = emulation::parse_loss(args.loss);
    if (!v) return print_error("emulate", v.error().message), k_exit_bad_input;
    spec.loss = *v;
  }
  if (!args.delay.empty()) {
    const auto v = emulation::parse_delay(args.delay);
    if (!v) return print_error("emulate", v.error().message), k_exit_bad_input;
    spec.delay_us = v->first;
    spec.jitter_us = v->second;
  }
  if (!args.icmp_rate.empty()) {
    const auto v = emulation::parse_icmp_rate(args.icmp_rate);
    if (!v) return print_error("emulate", v.error().message), k_exit_bad_input;
    spec.icmp_per_second = *v;
  }
  if (!args.filter.empty()) {
    const auto v = emulation::parse_probe_filter(args.filter);
    if (!v) return print_error("emulate", v.error().message), k_exit_bad_input;
    spec.filtered = *v;
  }
  spec.default_deny = args.default_deny;
  spec.allowed_tcp_ports = *ports;
  emulation::HostileKinds hostile_kinds;
  std::vector<targets::TargetSpec> hostile_specs;
  if (!args.hostile.empty()) {
    const auto v = emulation::parse_hostile_kinds(args.hostile);
    if (!v) return print_error("emulate", v.error().message), k_exit_bad_input;
    hostile_kinds = *v;
    for (const auto& text : args.hostile_hosts) {
      auto hostile_spec = targets::parse_target_spec(text);
      if (!hostile_spec || std::holds_alternative<targets::HostnameSpec>(hostile_spec->form)) {
        print_error("emulate", fmt::format("--hostile-hosts {}: {}", text,
                                           hostile_spec ? "expected addresses, ranges or CIDR blocks"
                                                        : hostile_spec.error().message));
        return k_exit_bad_input;
      }
      hostile_specs.push_back(std::move(*hostile_spec));
    }
  } else if (!args.hostile_hosts.empty()) {
    print_error("emulate", "--hostile-hosts needs --hostile KINDS");
    return k_exit_bad_input;
  }
  const auto is_hostile = [&](std::uint32_t address) {
    if (hostile_kinds.none()) return false;
    if (hostile_specs.empty()) return true;
    return std::any_of(hostile_specs.begin(), hostile_specs.end(),
                       [&](const auto& one) { return targets::spec_contains(one, Ipv4Address{address}); });
  };
  const auto db = load_os_db_file(resolve_os_db_path(args.db_path));
  if (!db) {
    print_error("emulate", db.error().message);
    return k_exit_bad_input;
  }
  const auto refs = emulation::select_references(*db, args.personality, addresses->size(), args.seed);
  if (!refs) {
    print_error("emulate", refs.error().message);
    return k_exit_bad_input;
  }

  emulation::EmulatorService service;
  std::optional<scoring::Matcher> matcher;
  // --self-check: the hosts go on an in-memory network instead, and are scanned there by the
  // scanner's own session and loop before their lines are printed.
  const io::SystemClock system_clock;
  io::ManualClock check_clock(system_clock.monotonic_now(), system_clock.wall_now());
  io::EmulatedNetwork check_network(check_clock);
  std::vector<SelfCheckLine> check_lines;
  if (args.self_check) matcher.emplace(*db);
  emulation::IsnPlanCache isn_plans; // a block meets the same SEQ expressions again and again
  for (std::size_t i = 0; i < addresses->size(); ++i) {
    const std::uint32_t address = (*addresses)[i];
    const std::uint64_t host_seed = emulation::mix_seed(args.seed, std::uint64_t{address});
    auto personality = emulation::make_personality(*db, (*refs)[i], host_seed, &isn_plans);
    if (!personality) {
      print_error("emulate", personality.error().message);
      return k_exit_bad_input;
    }
    nlohmann::json line{
        {"address", to_string(Ipv4Address{address})}, {"line", personality->line}, {"name", personality->name}};
    const auto family = emulation::retransmission_family(db->references()[(*refs)[i]]);
    emulation::Responder responder(std::move(*personality), emulation::ResponderOptions{address, *ports, host_seed});
    responder.enable_retransmission(emulation::retransmission_model(family));
    if (args.self_check) check_network.add_host(responder); // a copy: the served one starts clean
    std::optional<emulation::HostileHost> hostile;
    if (is_hostile(address)) {
      line["hostile"] = true;
      hostile.emplace(hostile_kinds, address, emulation::hostile_neighbours(*addresses, i), host_seed);
    }
    if (args.self_check) {
      check_lines.push_back(SelfCheckLine{address, (*refs)[i], std::move(line)});
    } else {
      std::printf("%s\n", line.dump().c_str());
    }
    std::optional<emulation::IcmpErrorLimiter> icmp_errors;
    if (args.limit_icmp_errors) icmp_errors.emplace();
    service.add_host(address, emulation::EmulatedHost{std::move(responder), emulation::Impairer(spec, host_seed),
                                                      std::move(hostile), std::move(icmp_errors)});
  }
  // Spoofing hosts overhear the probes sent to their neighbours (bounded: at most 4 each).
  if (hostile_kinds.test(static_cast<std::size_t>(emulation::HostileKind::spoof))) {
    for (std::size_t i = 0; i < addresses->size(); ++i) {
      if (!is_hostile((*addresses)[i])) continue;
      for (const std::uint32_t neighbour : emulation::hostile_neighbours(*addresses, i)) {
        service.add_overhearer(neighbour, (*addresses)[i]);
      }
    }
  }
  if (args.self_check) {
    auto checked = self_check(check_network, check_clock, check_lines, *ports, *db, *matcher, args.seed);
    if (!checked) {
      print_error("emulate", "--self-check: " + checked.error().message);
      return k_exit_environment;
    }
    for (const auto& entry : check_lines) std::printf("%s\n", entry.line.dump().c_str());
    (void)std::fflush(stdout);
    return k_exit_ok;
  }
  (void)std::fflush(stdout);

  // Network safety: never reconfigure the host's own namespace.
  if (!io::current_named_network_namespace()) {
    print_error("emulate", "refusing to run outside a named network namespace; "
                           "start it with `ip netns exec NAME stackprint emulate ...`");
    return k_exit_environment;
  }
  const std::uint32_t network = addresses->front() & ~0U;
  int prefix = 32;
  if (const auto slash = args.net.find('/'); slash != std::string::npos) {
    prefix = static_cast<int>(parse_decimal(std::string_view(args.net).substr(slash + 1), 2, 32).value_or(32));
  }
  const std::uint32_t mask = prefix == 0 ? 0U : 0xFFFFFFFFU << static_cast<unsigned>(32 - prefix);
  auto tun = io::TunDevice::open(args.tun_name, network & mask, prefix);
  if (!tun) {
    print_error("emulate", tun.error().message);
    return k_exit_environment;
  }
  if (const auto fwd = io::enable_ipv4_forwarding(); !fwd) {
    print_error("emulate", "warning: " + fwd.error().message);
  }
  // Nothing a remote party sends has been read yet: give up root before the first packet.
  if (const auto dropped = io::drop_privileges(io::PrivilegeDropOptions{args.user}); !dropped) {
    print_error("emulate", dropped.error().message);
    return k_exit_environment;
  }
  if (const auto sandboxed = io::install_sandbox(io::SandboxProfile::emulate); !sandboxed) {
    print_error("emulate", sandboxed.error().message);
    return k_exit_environment;
  }

  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  const io::SystemClock clock;
  io::EmulatorLoopLimits limits;
  if (args.duration_s > 0.0) {
    limits.max_duration =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(args.duration_s));
  }
  limits.stop = [] { return g_stop_requested != 0; };
  int status = k_exit_ok;
  io::EmulatorLoopStats served;
  io::TunTransport device(*tun, clock);
  if (auto run = io::serve_emulator(device, service, clock, limits)) {
    served = *run;
  } else {
    print_error("emulate", run.error().message);
    status = k_exit_environment;
  }

  // Totals, for tests and for the curious.
  const emulation::EmulatorCounters& counters = service.counters();
  nlohmann::json totals{{"malformed", counters.malformed},
                        {"unknown_destination", counters.unknown_destination},
                        {"filtered", counters.filtered},
                        {"write_errors", served.packets_refused},
                        {"inbox_dropped", service.inbox_stats().dropped},
                        {"inbox_peak", service.inbox_stats().peak},
                        {"replies_dropped", service.replies_dropped()}};
  std::uint64_t received = 0, answered = 0, silent = 0, unsupported = 0, generic = 0, lost = 0, limited = 0;
  emulation::HostileStats hostile_sent;
  emulation::RetransmissionStats synack;
  for (const auto& [address, host] : service.hosts()) {
    synack += host.responder.retransmission_stats();
    const auto& s = host.responder.stats();
    received += s.received;
    answered += s.answered;
    silent += s.silent;
    unsupported += s.unsupported;
    generic += s.generic;
    lost += host.impairer.lost();
    limited += host.impairer.rate_limited();
    if (host.hostile) hostile_sent += host.hostile->stats();
  }
  if (hostile_kinds.any()) {
    totals["hostile_sent"] = {{"malformed", hostile_sent.malformed}, {"options", hostile_sent.options},
                              {"duplicate", hostile_sent.duplicate}, {"late", hostile_sent.late},
                              {"flood", hostile_sent.flood},         {"fragments", hostile_sent.fragments},
                              {"spoof", hostile_sent.spoof}};
  }
  totals["received"] = received;
  totals["answered"] = answered;
  totals["silent"] = silent;
  totals["unsupported"] = unsupported;
  totals["generic"] = generic;
  totals["lost"] = lost;
  totals["rate_limited"] = limited;
  totals["icmp_errors_limited"] = counters.icmp_errors_limited;
  totals["synack_retransmission"] = {
      {"scheduled", synack.scheduled}, {"retransmitted", synack.retransmitted}, {"stopped", synack.stopped},
      {"exhausted", synack.exhausted}, {"replaced", synack.replaced},           {"evicted", synack.evicted},
      {"repeated", synack.repeated},   {"repeat_held", synack.repeat_held},     {"expired", synack.expired}};
  print_text(stderr, nlohmann::json{{"emulator_stats", totals}}.dump() + "\n");
  return g_stop_requested != 0 && status == k_exit_ok ? k_exit_ok : status;
}

} // namespace

void add_emulate_command(CLI::App& app, int& status) {
  auto args = std::make_shared<EmulateArgs>();
  auto* cmd =
      app.add_subcommand("emulate", "Answer OS-detection probes as an nmap-os-db reference would (run in a netns)");
  cmd->add_option("--net", args->net, "address or block to emulate, e.g. 10.200.1.0/24 (prefix 16-32)")->required();
  cmd->add_option("--personality", args->personality, "Fingerprint name, DB line number, or 'random'")->required();
  cmd->add_option("--seed", args->seed, "seed for every choice (default 1)");
  cmd->add_option("--open-ports", args->open_ports, "open TCP ports (default 22,80)");
  cmd->add_option("--db", args->db_path, "nmap-os-db path (default: $STACKPRINT_DB or /usr/share/nmap/nmap-os-db)");
  cmd->add_option("--loss", args->loss, "reply loss, fraction or percentage (e.g. 0.1 or 10%)");
  cmd->add_option("--delay", args->delay, "reply delay MS[:JITTER] in milliseconds");
  cmd->add_option("--rate-limit-icmp", args->icmp_rate, "ICMP replies per second per host, e.g. 1/s");
  cmd->add_flag("--limit-icmp-errors", args->limit_icmp_errors,
                "rate-limit ICMP errors per destination like Linux (burst 6, then 1/s)");
  cmd->add_option("--filter", args->filter, "probes to drop like a firewall, e.g. T2-T7,U1,IE");
  cmd->add_flag("--default-deny", args->default_deny,
                "a host firewall that passes only TCP to the open ports and ICMP (port scan included)");
  cmd->add_option("--hostile", args->hostile,
                  "hostile behaviour: malformed,options,duplicate,late,flood,fragments,spoof or all");
  cmd->add_option("--hostile-hosts", args->hostile_hosts,
                  "which emulated addresses are hostile (addresses, ranges, CIDR; default: all)");
  cmd->add_option("--tun", args->tun_name, "TUN interface name (default spemu0)");
  cmd->add_option("--duration", args->duration_s, "stop after this many seconds (default: run until SIGINT/SIGTERM)");
  cmd->add_option("--user", args->user,
                  "account to run as once the TUN device is open (default nobody; no capabilities kept)");
  cmd->add_flag("--self-check", args->self_check, "scan each emulated host in memory and report whether it matches");
  cmd->callback([args, &status] { status = run_emulate(*args); });
}

} // namespace stackprint::cli
