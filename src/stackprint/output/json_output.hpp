#pragma once
// JSON Lines output (-oJ): one JSON object per host, on one line, written as the host finishes.
// The schema is docs/stackprint-host.schema.json (JSON Schema draft 2020-12); every object carries
// "schema_version" (k_json_schema_version). Compatible additions (new optional members) keep the
// version; removals or changed meanings bump it.
//
// Members, in order: schema_version, target, state, status_reason, latency_s, mac, start, end, shard (--shard only),
// ports, ports_used, os_detection { rounds, match_round, seq_round, perfect, outcome, not_ideal_reason,
// good_for_submission, unreliable, fingerprint, tests, matches, report_lines, missing_tests?, seq_left_out? },
// sequence, distance, evidence, warnings (? : only when there is something to say). See the schema for each member's
// meaning and units.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

inline constexpr int k_json_schema_version = 1;

// The host object (ordered members).
[[nodiscard]] nlohmann::ordered_json json_host(const database::OsDb& db, const HostReport& host,
                                               const OutputOptions& options, std::int64_t now_s);

// json_host as one line, ending in '\n'.
[[nodiscard]] std::string json_host_line(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                                         std::int64_t now_s);

} // namespace stackprint::output
