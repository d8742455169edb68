#pragma once
// The stream of addresses to scan: command-line specs, then the contents of an -iL list read line by
// line as it is consumed, minus the --exclude set. Nothing is expanded ahead of time.
//
// Hostnames are resolved through a Resolver passed in by the shell (io::make_resolver()), so this
// code stays pure and tests pass a table-driven fake.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/targets/shard.hpp"
#include "stackprint/targets/target_spec.hpp"

namespace stackprint::targets {

// Next line of a target list (without its newline), nullopt at the end, or an error when reading
// failed. Called lazily, at most once per line.
using LineSource = std::function<std::optional<Expected<std::string>>()>;

// Name -> one IPv4 address, or an error such as "cannot resolve \"x\": Name or service not known".
using Resolver = std::function<Expected<Ipv4Address>(const std::string& name)>;

// One host to scan. `hostname` is the name the user wrote, empty when given as an address.
struct Target {
  Ipv4Address address;
  std::string hostname;

  friend bool operator==(const Target&, const Target&) = default;
};

// Every target spec of an exclude file (--excludefile), in the same format as -iL. Error names
// the file and line of the first bad entry, or the read failure.
[[nodiscard]] Expected<std::vector<TargetSpec>> read_target_specs(const LineSource& source,
                                                                  const std::string& source_name);

// Splits one line of a target list or exclude list: entries are separated by spaces, tabs or
// carriage returns, and "#" starts a comment that runs to the end of the line (Nmap -iL rules).
[[nodiscard]] std::vector<std::string_view> split_target_line(std::string_view line);

// The --exclude set. Membership covers whole blocks, network and broadcast addresses included.
class ExclusionSet {
public:
  ExclusionSet() = default;
  // Hostname specs are resolved with `resolver` once here; an unresolvable name is an error.
  [[nodiscard]] static Expected<ExclusionSet> build(const std::vector<TargetSpec>& specs, const Resolver& resolver);

  [[nodiscard]] bool contains(Ipv4Address address) const;
  // When `address` is excluded: the last address of the longest run of excluded addresses that
  // starts at it and that one CIDR exclusion covers (the address itself for octet-range
  // exclusions); nullopt when it is not excluded.
  [[nodiscard]] std::optional<Ipv4Address> excluded_through(Ipv4Address address) const;
  [[nodiscard]] bool empty() const { return m_specs.empty(); }

private:
  std::vector<TargetSpec> m_specs; // address forms only
};

class TargetStream {
public:
  TargetStream(std::vector<TargetSpec> specs, TargetOptions options, ExclusionSet exclusions, Resolver resolver);

  // Adds an -iL list, read after the command-line specs. `source_name` prefixes error messages
  // ("targets.txt:12: invalid target ...").
  void append_list(LineSource source, std::string source_name);

  // Keeps only the addresses of `shard` (see shard.hpp); call before the first next().
  void restrict_to_shard(Shard shard, std::uint64_t seed);

  // The next target; nullopt at the end. An error (bad token in a list, unresolvable name, read
  // failure) is returned in place of the targets it stands for, and the stream goes on after it.
  [[nodiscard]] std::optional<Expected<Target>> next();

  // Addresses the command-line specs stand for, before exclusions (lists are not read ahead).
  [[nodiscard]] std::uint64_t command_line_count() const;

private:
  struct PendingSpec {
    TargetSpec spec;
    std::string origin; // "" for the command line, "file:line" for a list entry
  };
  // Loads the next spec into the cursor; false at the very end. May set m_pending_error.
  bool advance_spec();
  std::optional<PendingSpec> next_pending_spec();

  std::deque<PendingSpec> m_specs;
  TargetOptions m_options;
  ExclusionSet m_exclusions;
  Resolver m_resolver;
  struct List {
    LineSource source;
    std::string name;
    std::uint64_t line_number = 0;
  };
  std::deque<List> m_lists;
  std::deque<std::string> m_line_tokens; // unconsumed tokens of the current list line
  std::string m_line_origin;

  std::optional<AddressCursor> m_cursor;
  std::string m_cursor_hostname;
  // Sharding: list position of the current spec's first address, and its permutation.
  std::optional<Shard> m_shard;
  std::uint64_t m_shard_seed = 0;
  std::uint64_t m_next_spec_offset = 0;
  std::uint64_t m_cursor_offset = 0;
  std::optional<IndexPermutation> m_cursor_permutation;
  std::optional<Error> m_pending_error;
  std::uint64_t m_command_line_count = 0;
};

} // namespace stackprint::targets
