#pragma once
// What Nmap 7.93's printosscanoutput prints for one host, decided once and shared by the normal,
// XML and JSON writers (docs/nmap-behaviour.md 3.4, 3.5, 5.1, 5.2, 5.3):
//   1. "Warning: OSScan results may be unreliable ..." when the host lacked an open or a closed
//      port, except in the "Too many fingerprints" case;
//   2. Device type / Running / OS CPE (guessing with --osscan-guess or a not-ideal reason);
//   3. "OS fingerprint not ideal because: <reason>" (no perfect match: with -vv/-d only; no match
//      at all: always);
//   4. OS details / Aggressive OS guesses / No exact OS matches / No OS matches / Too many ...;
//   5. "TCP/IP fingerprint:" and the merged fingerprint when Nmap shows it: always when conditions
//      were ideal and there was no perfect match (wrapped, G=Y); with -vv/-d otherwise (wrapped after
//      OS details, plain after the other messages; the "Too many" case always prints G=N);
//   6. stackprint only: "Missing tests (filtered): ..." when silent probes were blamed on a filter
//      (responses/probe_silence.hpp), saying whether the match left them out;
//   7. stackprint only: "SEQ samples left out: ..." when SYN/ACKs of the reported SEQ train came
//      after their probe's timeout or repeated an ISN the host had already sent (the live engine's
//      retransmission rule, responses/round_replies.hpp): which slots and why, and how many samples
//      SP, GCD, ISR and TS come from, so a delayed or retransmitting target is never silent about
//      the values it may have moved;
// then the host-level lines: Uptime guess (-v, when a boot time is known), Network Distance (when
// known), TCP Sequence Prediction (-v, more than 3 SEQ responses), IP ID Sequence Generation (-v,
// more than 2 SEQ responses).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

struct OsSection {
  std::vector<std::string> lines;         // items 1-4, 6 and 7 in print order, no newlines
  std::optional<std::string> fingerprint; // item 5's text (wrapped or plain), ends in '\n'
  std::vector<std::size_t> xml_matches;   // indexes into host.final_match().matches for <osmatch>
};

// Item 6, e.g. "Missing tests (filtered): T2 T3 T4 T5 T6 T7; matched without them (the closed TCP
// port answered the port scan but never T5)"; nullopt when nothing was blamed on a filter.
[[nodiscard]] std::optional<std::string> missing_tests_line(const HostReport& host);

// The SEQ slots of the reported SEQ round whose SYN/ACK was no sample (item 7); empty when every
// SYN/ACK that came was used, or when the round's replies were not kept.
struct SeqLeftOut {
  std::vector<std::string> late;          // e.g. "SEQ2": came after the probe timeout
  std::vector<std::string> retransmitted; // repeated an ISN already seen on its connection
  std::size_t samples = 0;                // SYN/ACKs the SEQ values were computed from
  [[nodiscard]] bool empty() const { return late.empty() && retransmitted.empty(); }
};
[[nodiscard]] SeqLeftOut seq_left_out(const HostReport& host);
// Item 7, e.g. "SEQ samples left out: SEQ2 SEQ5 came after the probe timeout; SP, GCD, ISR and TS
// come from the other 4"; nullopt when nothing was left out.
[[nodiscard]] std::optional<std::string> seq_left_out_line(const HostReport& host);

[[nodiscard]] OsSection build_os_section(const database::OsDb& db, const HostReport& host,
                                         const OutputOptions& options);

// The host-level values after the OS section (also XML uptime, distance, tcpsequence, ...).
struct HostSequenceFacts {
  std::optional<std::int64_t> uptime_s; // now - lastboot, when a boot time is known
  std::optional<std::int64_t> lastboot_s;
  std::optional<int> distance;
  std::size_t responses = 0;          // SEQ responses of the reported round
  std::uint32_t difficulty_index = 0; // SP
  std::string difficulty_words;       // "Good luck!", ...
  std::string ip_id_words;            // "All zeros", ...
  std::string ts_words;               // "other", "1000HZ", ...
  bool ts_values_shown = true;        // false for the unsupported class
  std::vector<std::uint32_t> isns;
  std::vector<std::uint16_t> ip_ids;
  std::vector<std::uint32_t> tsvals;
};

[[nodiscard]] HostSequenceFacts host_sequence_facts(const HostReport& host, std::int64_t now_s);

// "Uptime guess: ...", "Network Distance: ...", "TCP Sequence Prediction: ...", "IP ID Sequence
// Generation: ..." as Nmap prints them at this verbosity.
[[nodiscard]] std::vector<std::string> host_detail_lines(const HostReport& host, const OutputOptions& options,
                                                         std::int64_t now_s);

// Comma-separated uppercase hex, as in the XML values attributes ("26683E9F,95708C28").
[[nodiscard]] std::string hex_list(const std::vector<std::uint32_t>& values);
[[nodiscard]] std::string hex_list(const std::vector<std::uint16_t>& values);

} // namespace stackprint::output
