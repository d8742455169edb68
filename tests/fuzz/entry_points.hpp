#pragma once
// The code paths the fuzz targets exercise, shared by the libFuzzer programs (tests/fuzz/*_fuzz.cpp,
// clang only) and by the replay test (replay_test.cpp, every build), so that every committed corpus
// and regression input runs through exactly the same code in normal CI.
//
// Each function accepts arbitrary bytes. Parser errors are expected and ignored; a violated
// invariant (a documented round trip that does not hold) calls std::abort() so that both libFuzzer
// and the replay test report it. Memory errors are caught by ASan/UBSan where those are enabled.

#include <cstdint>
#include <span>
#include <string_view>

namespace stackprint::fuzz {

// wire::parse_ipv4, the checksum checks, a keep_all serialize/re-parse round trip, ICMP quoted
// packets, and a RoundCollector (fixed ProbeContext, all probes sent) fed the packet twice: as
// captured and re-addressed to the context so its matching rules are reached; then analyze_round.
void run_packet(std::span<const std::uint8_t> bytes);

// io::read_capture_file on the bytes as a file (an in-memory file, no disk), then the frames through
// responses::reconstruct_run and analyze_round; plus io::frame_from_link_layer on the raw bytes for
// every supported link type.
void run_capture(std::span<const std::uint8_t> bytes);

// database::parse_os_db on the bytes as text; a database that parses is matched
// (scoring::Matcher::match and compare) against a fixed subject fingerprint.
void run_os_db(std::span<const std::uint8_t> bytes);

// fingerprint::parse_fingerprint; a fingerprint that parses must survive format_plain and
// format_wrapped round trips, and is matched against a small fixed database.
void run_fingerprint(std::span<const std::uint8_t> bytes);

// Stateful targets (stateful_entry_points.cpp): the input is a program of steps (time passing,
// frames, replies, more hosts) rather than one packet.

// engine::OsScan (HostOsScan with its RoundCollector) over up to 8 targets: configuration and
// judge from the input, then time steps, raw or lightly structured frames, the targets' own
// answers (an emulation::Responder per target) to recent probes, damaged or not, duplicates of
// earlier frames and hosts added on the way; finished hosts go through fingerprint_run. Every sent
// packet must parse, and every host must end once time runs on.
void run_os_scan(std::span<const std::uint8_t> bytes);

// emulation::Responder for a personality (reference and seed) chosen by the input from a small
// in-code database, with open ports from the input, fed raw bytes, lightly structured packets and
// damaged copies of Nmap's probes at input-chosen times. Every reply must parse and go back to the
// sender from the emulated address; the counters must add up.
void run_responder(std::span<const std::uint8_t> bytes);

// The target names used for corpus/ and regression/ folders, and the function of each.
using EntryPoint = void (*)(std::span<const std::uint8_t>);
struct Target {
  std::string_view name;
  EntryPoint run;
};
inline constexpr Target k_targets[] = {
    {"packet", &run_packet},           {"capture", &run_capture}, {"os_db", &run_os_db},
    {"fingerprint", &run_fingerprint}, {"os_scan", &run_os_scan}, {"responder", &run_responder},
};

} // namespace stackprint::fuzz
