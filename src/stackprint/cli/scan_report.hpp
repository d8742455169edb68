#pragma once
// Turning a finished host of a live scan into the report every writer reads (output::HostReport):
// its port table, the fingerprint of the run, the match of every round and the round Nmap reports.

#include <cstdint>
#include <string>

#include "stackprint/database/os_db.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/engine/host_os_scan.hpp"
#include "stackprint/output/host_report.hpp"
#include "stackprint/output/services.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/session/scan_session.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::cli {

using HostContext = session::HostContext;

// The port table of a host as discovery found it, with service names.
[[nodiscard]] std::vector<output::PortLine> port_lines(const discovery::HostDiscovery& host,
                                                       const output::ServiceNames& services);

// A host that discovery found down (no OS section).
[[nodiscard]] output::HostReport down_host_report(const HostContext& context, std::int64_t now_s);

// A host whose OS detection finished. `partial_match`: leave the tests blamed on a filter out of
// the match (stackprint's default; false for Nmap's matching, --no-partial-match).
[[nodiscard]] output::HostReport os_host_report(const HostContext& context, const engine::HostOsScan& host,
                                                scoring::Matcher& matcher, bool partial_match,
                                                const output::ServiceNames& services, std::int64_t now_s);

} // namespace stackprint::cli
