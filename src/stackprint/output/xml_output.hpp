#pragma once
// Nmap XML output (-oX), valid against Nmap 7.93's nmap.dtd and laid out line for line as Nmap
// writes it, so consumers of Nmap XML (python-libnmap, ndiff, nmap.xsl, ...) read it unchanged.
//
// A document is xml_header + one xml_host per finished host + xml_footer, so a scan can stream
// hosts as they finish. Inside <host>: status, address (ipv4, then mac), hostnames, ports, os
// (portused, osmatch with osclass and cpe, osfingerprint), uptime, distance, tcpsequence,
// ipidsequence, tcptssequence (docs/nmap-behaviour.md 5.3).
//
// DIVERGENCE(nmap): nmaprun's scanner attribute must be "nmap" for the DTD; `version` carries
// stackprint's version and a comment names stackprint.

#include <cstdint>
#include <string>
#include <string_view>

#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

// Escapes text for an XML attribute value or element text as Nmap does: & < > " ' as entities,
// a '-' that follows a '-' as "&#45;" (so "--" never appears, also inside comments), control
// characters (newline included) and bytes >= 0x7F as "&#xNN;".
[[nodiscard]] std::string xml_escape(std::string_view text);

// From "<?xml ...?>" to the <debugging> element.
[[nodiscard]] std::string xml_header(const RunInfo& run, const OutputOptions& options);

// One <host>...</host>, each element on its own line as Nmap writes them.
[[nodiscard]] std::string xml_host(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                                   std::int64_t now_s);

// <runstats> and </nmaprun>.
[[nodiscard]] std::string xml_footer(const RunSummary& summary, const TimeZone& zone);

} // namespace stackprint::output
