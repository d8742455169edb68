#pragma once
// The one place where a host becomes the report every writer reads (output::HostReport), for a
// live scan (a ScanSession's events) and for a replayed capture alike: its port table, the
// fingerprint of the run, the match of every round and the round Nmap reports. Both go through
// output::build_os_host_report, so results_unreliable follows one rule everywhere: no open TCP port,
// or neither a closed nor an unfiltered TCP port in the port table (docs/nmap-behaviour.md 3.4).

#include <cstdint>
#include <string>

#include "stackprint/database/os_db.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/engine/host_os_scan.hpp"
#include "stackprint/output/host_report.hpp"
#include "stackprint/output/services.hpp"
#include "stackprint/responses/recorded_run.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/session/scan_session.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::session {

// The port table of a host as discovery found it, with service names.
[[nodiscard]] std::vector<output::PortLine> port_lines(const discovery::HostDiscovery& host,
                                                       const output::ServiceNames& services);

// A host that discovery found down (no OS section).
[[nodiscard]] output::HostReport down_host_report(const HostContext& context, std::int64_t now_s);

// A host found up whose OS detection --osscan-limit left out (no open and closed TCP port).
[[nodiscard]] output::HostReport skipped_host_report(const HostContext& context, const output::ServiceNames& services,
                                                     std::int64_t now_s);

// A host whose OS detection finished. `partial_match`: leave the tests blamed on a filter out of
// the match (stackprint's default; false for Nmap's matching, --no-partial-match).
[[nodiscard]] output::HostReport os_host_report(const HostContext& context, const engine::HostOsScan& host,
                                                scoring::Matcher& matcher, bool partial_match,
                                                const output::ServiceNames& services, std::int64_t now_s);

// The host of a replayed capture (`stackprint replay`): the port table Nmap printed before OS
// detection, as far as the capture shows it, and the run's fingerprint. `start_s`/`end_s`: the
// capture's first and last frame. `partial_match` as for os_host_report.
[[nodiscard]] output::HostReport recorded_host_report(const responses::RecordedRun& run,
                                                      const responses::RunFingerprint& fingerprint,
                                                      scoring::Matcher& matcher, bool partial_match,
                                                      const output::ServiceNames& services, std::int64_t start_s,
                                                      std::int64_t end_s);

} // namespace stackprint::session
