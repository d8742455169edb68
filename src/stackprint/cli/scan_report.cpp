#include "stackprint/cli/scan_report.hpp"

#include <cstdio>

#include "stackprint/fingerprint/text.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/targets/ipv4_address.hpp"

namespace stackprint::cli {
namespace {

std::string host_label(const targets::Target& target) {
  const std::string address = targets::to_string(target.address);
  return target.hostname.empty() ? address : target.hostname + " (" + address + ")";
}

} // namespace

HostResult evaluate_host(const HostContext& context, const engine::HostOsScan& host, scoring::Matcher& matcher,
                         bool udp_port_scan) {
  const engine::HostTarget& target = host.target();
  responses::RunFacts facts;
  facts.target_address = target.address;
  facts.open_tcp_port = target.open_tcp_port;
  facts.closed_tcp_port = target.closed_tcp_port;
  facts.closed_udp_port = target.closed_udp_port;
  facts.closed_tcp_port_known = target.closed_tcp_known;
  facts.closed_udp_port_known = target.closed_udp_known;
  facts.udp_port_scan = udp_port_scan;
  if (context.direct && context.discovery.link_source) {
    facts.direct_target_mac = context.discovery.link_source;
  }
  if (!host.rounds().empty()) {
    facts.start = host.rounds().front().start;
  }
  std::vector<responses::RoundInput> rounds;
  for (const auto& round : host.rounds()) {
    rounds.push_back({&round.replies, &round.context});
  }
  HostResult result;
  result.run = responses::fingerprint_run(rounds, facts);

  // Nmap reports the round that matched perfectly (the last one run), else the first round with
  // the best top accuracy among rounds with any match, else round 1 (findBestFPs, facts 3.3).
  std::vector<scoring::MatchResult> matches;
  for (const auto& round : result.run.rounds) {
    matches.push_back(matcher.match(round.fingerprint));
  }
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const auto& m = matches[i];
    if (m.outcome == scoring::Outcome::success && m.perfect_matches > 0) {
      best = i;
      break;
    }
    if (m.outcome == scoring::Outcome::success && !m.matches.empty() &&
        (!best || m.matches.front().accuracy > matches[*best].matches.front().accuracy)) {
      best = i;
    }
  }
  result.reported_round = best.value_or(0);
  if (!matches.empty()) {
    result.match = matches[result.reported_round];
  }
  return result;
}

void print_host_report(const HostContext& context, const engine::HostOsScan& host, const database::OsDb& db,
                       scoring::Matcher& matcher, bool udp_port_scan, const ReportSettings& settings,
                       Timestamp /*now*/) {
  const HostResult result = evaluate_host(context, host, matcher, udp_port_scan);
  const engine::HostTarget& target = host.target();
  std::printf("stackprint scan report for %s\nHost is up.\n", host_label(context.target).c_str());
  std::printf("OS detection ports: open tcp %s, closed tcp %u%s, closed udp %u%s\n",
              target.open_tcp_port ? std::to_string(*target.open_tcp_port).c_str() : "none",
              static_cast<unsigned>(target.closed_tcp_port), target.closed_tcp_known ? "" : " (guessed)",
              static_cast<unsigned>(target.closed_udp_port), target.closed_udp_known ? "" : " (guessed)");
  if (!target.open_tcp_port || !target.closed_tcp_known) {
    std::printf("Warning: OSScan results may be unreliable because we could not find at least 1 open and 1 closed "
                "port\n");
  }
  scoring::ReportOptions report_options;
  report_options.osscan_guess = settings.osscan_guess;
  report_options.non_ideal = result.run.not_ideal_reason.has_value();
  const auto report = scoring::build_os_report(db, result.match, report_options);
  for (const auto& line : report.lines) {
    std::printf("%s\n", line.c_str());
  }
  if (report.fingerprint_follows || settings.verbosity > 0) {
    const std::string text = result.run.not_ideal_reason ? fingerprint::format_plain(result.run.merged)
                                                         : fingerprint::format_wrapped(result.run.merged);
    std::printf("TCP/IP fingerprint:\n%s", text.c_str());
  }
  if (result.run.distance) {
    std::printf("Network Distance: %d hop%s\n", *result.run.distance, *result.run.distance == 1 ? "" : "s");
  }
  if (settings.verbosity > 0) {
    std::printf("OS detection rounds: %zu (%s), %llu probes sent\n", host.rounds().size(),
                host.end() == engine::HostEnd::perfect_match     ? "perfect match"
                : host.end() == engine::HostEnd::stable          ? "stopped: rounds agree"
                : host.end() == engine::HostEnd::host_timeout    ? "host timeout"
                                                                 : "tries used up",
                static_cast<unsigned long long>(host.packets_sent()));
  }
  std::printf("\n");
  std::fflush(stdout);
}

void print_host_down(const HostContext& context, const ReportSettings& /*settings*/) {
  std::printf("stackprint scan report for %s\nHost seems down: no reply to any probe.\n\n",
              host_label(context.target).c_str());
  std::fflush(stdout);
}

void print_host_skipped(const HostContext& context, const ReportSettings& /*settings*/) {
  std::printf("stackprint scan report for %s\nHost is up. OS detection skipped (--osscan-limit: no open and closed "
              "TCP port).\n\n",
              host_label(context.target).c_str());
}

void print_scan_summary(const ScanTotals& totals, bool interrupted) {
  if (interrupted) {
    std::printf("Scan interrupted: results above are complete for the hosts listed.\n");
  }
  std::printf("OS detection done: %llu host%s up, %llu down, %llu fingerprinted in %.2f s (%llu packets sent)\n",
              static_cast<unsigned long long>(totals.hosts_up), totals.hosts_up == 1 ? "" : "s",
              static_cast<unsigned long long>(totals.hosts_down),
              static_cast<unsigned long long>(totals.hosts_fingerprinted), totals.elapsed_s,
              static_cast<unsigned long long>(totals.packets_sent));
}

} // namespace stackprint::cli
