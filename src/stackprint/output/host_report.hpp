#pragma once
// The values every report writer (normal text, Nmap XML, JSON Lines) reads: one HostReport per
// finished host, one RunInfo / RunSummary per run, and the OutputOptions of the command line.
// Pure data: times are passed in (seconds since the Unix epoch), never read from a clock here, and
// the local time zone is a value (TimeZone) the caller fills in.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stackprint/responses/round_replies.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/scoring/final_result.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::output {

enum class Protocol { tcp, udp };
// Nmap's port states (nmap.dtd %port_states;).
enum class PortState { open, closed, filtered, unfiltered, open_filtered, closed_filtered };

// "tcp"/"udp"; "open", "closed", "filtered", "unfiltered", "open|filtered", "closed|filtered".
[[nodiscard]] const char* protocol_name(Protocol protocol);
[[nodiscard]] const char* port_state_name(PortState state);

// One row of the port table (and one XML <port>).
struct PortLine {
  Protocol protocol = Protocol::tcp;
  std::uint16_t port = 0;
  PortState state = PortState::closed;
  std::string service;           // nmap-services name; "" prints as "unknown"
  std::string reason;            // e.g. "syn-ack", "reset", "port-unreach", "no-response"
  std::optional<int> reason_ttl; // TTL of the packet that gave the reason
};

// How local times are printed (Nmap uses the process's local time zone via ctime/strftime).
struct TimeZone {
  std::int64_t utc_offset_s = 0; // local time = UTC + offset
  std::string name = "UTC";      // abbreviation, e.g. "UTC", "CET"
};

// One <scaninfo>: a port scan type ("syn", "connect", "udp", ...) with its protocol and ports.
struct ScanInfo {
  std::string type = "syn";
  Protocol protocol = Protocol::tcp;
  std::string services;  // Nmap's compact list, e.g. "22,80" or "1-1024"
  std::size_t count = 0; // numservices
  friend bool operator==(const ScanInfo&, const ScanInfo&) = default;
};

// Which shard of a sharded scan (--shard) wrote a report, recorded in JSON Lines for merge.
struct ShardLabel {
  std::uint32_t index = 1; // 1-based
  std::uint32_t count = 1;
  std::uint64_t seed = 0;
  std::string scan_id; // the same for every shard of one scan
  // The run-level facts a merged normal or XML report shows (RunInfo's args, start_s, scaninfo).
  std::string args;
  std::int64_t start_s = 0;
  std::vector<ScanInfo> scaninfo;

  friend bool operator==(const ShardLabel&, const ShardLabel&) = default;
};

struct OutputOptions {
  int verbosity = 0;         // -v count: 1 adds uptime/sequence lines, 2 the fingerprint and reasons
  int debugging = 0;         // -d count: lists more than 8 perfect matches, shows the fingerprint
  bool osscan_guess = false; // --osscan-guess
  TimeZone zone;
  std::optional<ShardLabel> shard; // --shard: written into each JSON Lines host object
};

// Everything known about one host when it is finished.
struct HostReport {
  std::uint32_t address = 0; // IPv4, host order
  bool up = true;
  std::string status_reason = "user-set";         // Nmap's <status reason>: "arp-response", "user-set" (-Pn), ...
  std::optional<std::array<std::uint8_t, 6>> mac; // when the host is on our segment
  std::string mac_vendor;                         // "" prints as "(Unknown)"
  std::optional<double> latency_s;                // "Host is up (0.000079s latency)."
  std::vector<PortLine> ports;                    // the port table, in Nmap's order (tcp then udp, by port)
  std::int64_t start_s = 0;                       // host scan start and end (XML starttime/endtime)
  std::int64_t end_s = 0;

  // OS detection. `os_detection` false: no OS section at all (e.g. the host was down).
  bool os_detection = true;
  // Nmap's OS_PERF_UNREL: no open TCP port, or neither a closed nor an unfiltered TCP port.
  bool results_unreliable = false;
  responses::RunFingerprint run;                   // rounds, SCAN line, not-ideal reason, merged print
  std::vector<scoring::MatchResult> round_matches; // one per round, in order
  scoring::FinalRound final_round;                 // see scoring/final_result.hpp
  // Whether the match left out the tests run.silence blamed on a filter (stackprint's default) or
  // matched them as R=N as Nmap does (--no-partial-match). See scoring/partial_match.hpp.
  bool partial_match = true;
  // The replies of each round (same order as run.rounds) for the JSON evidence; may be empty.
  std::vector<responses::RoundReplies> round_replies;

  // The reported match (round_matches[final_round.match_round]), or an empty no-match result.
  [[nodiscard]] const scoring::MatchResult& final_match() const;
  // SEQ data reported for the host (run.rounds[final_round.seq_round].seq); nullptr without rounds.
  [[nodiscard]] const response_tests::SeqLineResult* reported_seq() const;
};

// Fills round_matches and final_round from the per-round results (choose_final_round).
void set_round_matches(HostReport& host, std::vector<scoring::MatchResult> round_matches);

// Matches every round of host.run with `matcher`, leaving out the tests host.run.silence blamed on
// a filter when `partial_match` (scoring::match_present_tests), records the choice in
// host.partial_match and fills round_matches and final_round.
void match_rounds(HostReport& host, scoring::Matcher& matcher, bool partial_match);

// What a scan or a replay knows about a host whose OS detection finished, besides the run's
// fingerprint. build_os_host_report turns it into the report every writer reads.
struct OsHostFacts {
  std::uint32_t address = 0;
  std::optional<std::array<std::uint8_t, 6>> mac; // the target's own MAC (on our segment)
  std::string status_reason;                      // "" : "arp-response" with a MAC, else "user-set"
  std::optional<double> latency_s;
  std::vector<PortLine> ports; // the port table, in Nmap's order
  std::int64_t start_s = 0;
  std::int64_t end_s = 0;
  responses::RunFingerprint run;
  std::vector<responses::RoundReplies> round_replies; // may be empty
};

// Nmap's OS_PERF_UNREL from the port table (docs/nmap-behaviour.md 3.4): no open TCP port, or
// neither a closed nor an unfiltered TCP port.
[[nodiscard]] bool os_results_unreliable(const std::vector<PortLine>& ports);

// The one builder of an OS-detected host's report for scan and replay: copies the facts, sets
// results_unreliable from the port table and matches every round (match_rounds).
[[nodiscard]] HostReport build_os_host_report(OsHostFacts facts, scoring::Matcher& matcher, bool partial_match);

// A host found down: no OS section, status reason "no-response".
[[nodiscard]] HostReport build_down_host_report(std::uint32_t address, std::int64_t start_s, std::int64_t end_s);

struct RunInfo {
  std::string program_version; // stackprint's version, e.g. "0.1.0"
  std::string args;            // the command line as typed
  std::int64_t start_s = 0;
  std::vector<ScanInfo> scaninfo;
  std::string stylesheet = "file:///usr/share/nmap/nmap.xsl"; // "" for none
};

struct RunSummary {
  std::int64_t end_s = 0;
  double elapsed_s = 0.0;
  unsigned hosts_up = 0;
  unsigned hosts_down = 0;
  bool success = true;        // XML finished exit="success" / "error"
  std::string error_message;  // with success == false
  std::string data_directory; // -v: the directory nmap-os-db was read from ("Read data files from:")
};

} // namespace stackprint::output
