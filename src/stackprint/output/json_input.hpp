#pragma once
// Reading the host objects of JSON Lines reports (-oJ, docs/stackprint-host.schema.json) back into
// the report model, so that `stackprint merge` writes normal and XML reports of shard outputs with
// the same writers as a scan. Untrusted input: a missing member, a wrong type or a value out of
// range gives one error naming it; nothing throws.
//
// What comes back is what the normal and XML writers read: the port table, status, the reported
// match (references found again by their nmap-os-db line, so the OS database must be the one the
// scan used), the merged fingerprint and its SCAN line, the reported round's SEQ facts, distance
// and the tests blamed on a filter. Rounds other than the reported ones and the raw replies are
// not in the JSON and stay empty; the JSON object itself is kept by the caller for -oJ.

#include <cstdint>
#include <map>

#include <nlohmann/json.hpp>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

struct JsonHost {
  HostReport report;
  // The print time the writer used: lastboot + uptime when both are known, else the host's end.
  std::int64_t now_s = 0;
};

class JsonHostReader {
public:
  // `db` must outlive the reader.
  explicit JsonHostReader(const database::OsDb& db);

  // One host object. Error: one line, e.g. "\"os_detection.matches[2].line\": no reference at line 123
  // of the OS database (not the one the scan used?)".
  [[nodiscard]] Expected<JsonHost> read(const nlohmann::ordered_json& object) const;

private:
  const database::OsDb* m_db;
  std::map<int, std::size_t> m_reference_by_line;
};

// The run-level facts of a "shard" member (index, count, seed, scan_id, args, start, scaninfo).
[[nodiscard]] Expected<ShardLabel> shard_from_json(const nlohmann::ordered_json& shard);

} // namespace stackprint::output
