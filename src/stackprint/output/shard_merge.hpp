#pragma once
// Merging the JSON Lines outputs (-oJ) of the shards of one scan (--shard I/N) into one report,
// and checking that they fit together: one scan identity, no address in two shards, no shard
// missing. Pure: the shell reads the files and hands their lines in.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stackprint::output {

// nlohmann's ordered_json may throw from its move operations (its allocator), which the check reports
// for the implicit ones; a throw there ends the merge as any allocation failure would.
struct MergedHost {          // NOLINT(bugprone-exception-escape)
  std::uint32_t address = 0; // host order
  nlohmann::ordered_json object;
  std::string file;
};

struct ShardMerge {
  std::vector<MergedHost> hosts; // good hosts of every file, by address
  // One line each: a bad file (first bad line and how many lines were skipped), a scan-identity
  // mismatch, an address in two shards, missing shards.
  std::vector<std::string> problems;
  std::size_t bad_files = 0;
};

class ShardMerger {
public:
  // Adds one file's lines (without newlines). Lines that are not host objects of a sharded scan are
  // skipped and reported once per file; the good lines are kept.
  void add_file(const std::string& name, const std::vector<std::string>& lines);
  // Sorts the hosts and appends the cross-file checks to the problems.
  [[nodiscard]] ShardMerge finish() &&;

private:
  struct Identity {
    std::string scan_id;
    std::uint64_t seed = 0;
    std::uint32_t count = 0;
    std::string file;
  };
  ShardMerge m_merge;
  std::vector<Identity> m_identities; // distinct scan identities, first file that showed each
  std::set<std::uint32_t> m_indexes_seen;
};

} // namespace stackprint::output
