#pragma once
// Turning a finished host of a live scan into its result (fingerprint of the run, the round Nmap
// would report, the match list) and printing it in Nmap's normal-output style.

#include <cstdint>
#include <string>

#include "stackprint/base/frame.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/engine/host_os_scan.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::cli {

struct HostContext {
  targets::Target target;
  discovery::HostDiscovery discovery;
  bool direct = false; // on our segment (no gateway): the MAC seen is the target's
};

struct ReportSettings {
  bool osscan_guess = false;
  int verbosity = 0;
};

struct ScanTotals {
  std::uint64_t hosts_up = 0;
  std::uint64_t hosts_down = 0;
  std::uint64_t hosts_fingerprinted = 0;
  std::uint64_t packets_sent = 0;
  double elapsed_s = 0;
};

// The result of one host: every round analysed and the match of the round Nmap reports.
struct HostResult {
  responses::RunFingerprint run;
  std::size_t reported_round = 0;
  scoring::MatchResult match;
};

[[nodiscard]] HostResult evaluate_host(const HostContext& context, const engine::HostOsScan& host,
                                       scoring::Matcher& matcher, bool udp_port_scan);

void print_host_report(const HostContext& context, const engine::HostOsScan& host, const database::OsDb& db,
                       scoring::Matcher& matcher, bool udp_port_scan, const ReportSettings& settings, Timestamp now);
void print_host_down(const HostContext& context, const ReportSettings& settings);
void print_host_skipped(const HostContext& context, const ReportSettings& settings);
void print_scan_summary(const ScanTotals& totals, bool interrupted);

} // namespace stackprint::cli
