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

// The target names used for corpus/ and regression/ folders, and the function of each.
using EntryPoint = void (*)(std::span<const std::uint8_t>);
struct Target {
  std::string_view name;
  EntryPoint run;
};
inline constexpr Target k_targets[] = {
    {"packet", &run_packet},
    {"capture", &run_capture},
    {"os_db", &run_os_db},
    {"fingerprint", &run_fingerprint},
};

} // namespace stackprint::fuzz
