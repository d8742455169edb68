#pragma once
// Scanning an emulated host without a network: Nmap 7.93's probes (probes::build_probe) with its
// timing (SEQ 100 ms apart, then IE, U1, ECN, T2-T7 25 ms apart) go straight into a Responder, the
// replies go through responses::RoundCollector and analyze_round, exactly as for a live target.
// The emulator's unit tests use this single round to check, reference by reference, that the
// emulated host yields a fingerprint the reference matches perfectly; `emulate --self-check` scans
// with the scanner's own session instead (io/emulated_network.hpp), and draws from the same ranges
// (base/random_source.hpp).

#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/responses/round_replies.hpp"

namespace stackprint::emulation {

// One OS-detection round against `responder` starting at `start`; the random values of the probes
// (IP IDs, TTLs, sequence base, ...) come from `seed`. The context's target address, open and closed
// ports are taken from the responder (closed TCP port: the first port >= 1 that is not open).
// Returns the round's subject fingerprint (tests only, no SCAN line).
[[nodiscard]] fingerprint::Fingerprint scan_emulated_host(Responder& responder, Timestamp start, std::uint64_t seed);

// The same round with its raw material kept, and with the probes in `dropped` never reaching the
// responder (a firewall in front of the emulated host, as `emulate --filter` does). Each probe is
// sent once; the fingerprint is analysed with an open and a known-closed TCP port.
struct EmulatedRound {
  probes::ProbeContext context;
  responses::RoundReplies replies;
  fingerprint::Fingerprint fingerprint;
};
[[nodiscard]] EmulatedRound scan_emulated_round(Responder& responder, Timestamp start, std::uint64_t seed,
                                                const std::bitset<probes::k_probe_count>& dropped = {});

// The reference's attributes that the subject has but whose expression rejects the subject's value
// under Nmap 7.93's semantics, as "TEST.ATTR=value(expression)". Empty for a perfect match.
[[nodiscard]] std::vector<std::string> mismatched_attributes(const database::OsDb& db, std::size_t reference,
                                                             const fingerprint::Fingerprint& subject);

// True when references `a` and `b` have the same test lines (identical test values).
[[nodiscard]] bool same_test_values(const database::OsDb& db, std::size_t a, std::size_t b);

} // namespace stackprint::emulation
