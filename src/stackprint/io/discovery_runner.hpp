#pragma once
// Port discovery over a Transport: discovery::PortDiscovery pumped by run_session, its actions
// turned into packets by discovery::probe_packet. With a LiveTransport it is the real port scan;
// with a test transport it runs without root.

#include <cstdint>

#include "stackprint/base/expected.hpp"
#include "stackprint/discovery/port_discovery.hpp"
#include "stackprint/io/clock.hpp"
#include "stackprint/io/session_runner.hpp"
#include "stackprint/io/transport.hpp"

namespace stackprint::io {

// Runs `discovery` to completion (or until a limit stops it; its hosts() then hold partial
// results, and those hosts still probing). `source` is our address (route.source); `ttl` that of
// the probes. Errors: see run_session.
[[nodiscard]] Expected<RunStats> run_port_discovery(Transport& transport, discovery::PortDiscovery& discovery,
                                                    Ipv4Address source, const Clock& clock,
                                                    const RunLimits& limits = {}, std::uint8_t ttl = 64);

} // namespace stackprint::io
