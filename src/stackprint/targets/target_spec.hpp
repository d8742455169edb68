#pragma once
// Nmap-style target specifications, parsed into compact values that are iterated lazily: a /0 block
// is one small value, never a list of four billion addresses.
//
// Accepted forms (one whitespace-free token each):
//   10.0.0.1                 a single address
//   10.0.0.0/24              a CIDR block, prefix 0-32
//   10.0.0-3.1-254           Nmap octet ranges: per octet "*", "N", "N-M", "-M", "N-", "-",
//   192.168.1.1,3,7-9        or comma lists of those ("*" and "-" mean 0-255)
//   scanme.example.org       a hostname, resolved later by io/ (this layer never resolves)
//   scanme.example.org/28    a hostname with a CIDR prefix around its resolved address
// A token made only of digits, dots, commas, dashes and "*" is read as an address form, so a typo
// such as "10.0.0.300" is an error naming the bad octet, not a failed DNS lookup.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::targets {

// Four octet sets; the addresses are their Cartesian product, iterated in ascending order.
// A single address is an octet range with one member per octet.
struct OctetRangeSpec {
  std::array<std::vector<std::uint8_t>, 4> octets; // each sorted ascending, unique, non-empty
};

struct CidrSpec {
  Ipv4Address network;    // already masked to the prefix
  int prefix_length = 32; // 0-32
};

struct HostnameSpec {
  std::string name;
  std::optional<int> prefix_length; // set for "name/N"
};

struct TargetSpec {
  std::string text; // the token as written, for messages
  std::variant<OctetRangeSpec, CidrSpec, HostnameSpec> form;
};

struct TargetOptions {
  // DIVERGENCE(nmap): Nmap scans every address of a CIDR block. We skip the network (all host bits
  // 0) and broadcast (all host bits 1) addresses of /0-/30 blocks by default, because they are not
  // hosts and answers to them (from routers or every host on the segment) confuse fingerprinting.
  // /31 and /32 blocks and octet ranges are taken exactly as written.
  bool include_network_and_broadcast = false;
};

// Error: one line naming the bad token and, where it helps, the bad part of it.
[[nodiscard]] Expected<TargetSpec> parse_target_spec(std::string_view token);

// Number of addresses the spec stands for, computed without expanding it (up to 2^32). A hostname
// counts as 1, or as its block's size for "name/N".
[[nodiscard]] std::uint64_t address_count(const TargetSpec& spec, const TargetOptions& options = {});

// Whether the spec's address set contains `address` (network and broadcast addresses count as
// members: this answers "is it covered", as --exclude needs). Always false for hostname specs.
[[nodiscard]] bool spec_contains(const TargetSpec& spec, Ipv4Address address);

// Lazily walks the addresses of one address spec in ascending order; O(1) memory for CIDR blocks.
class AddressCursor {
public:
  // For octet ranges and CIDR blocks. A hostname spec yields nothing: use for_resolved().
  AddressCursor(const TargetSpec& spec, const TargetOptions& options);
  // For a hostname spec whose name resolved to `address`: that address, or its "/N" block.
  [[nodiscard]] static AddressCursor for_resolved(const HostnameSpec& spec, Ipv4Address address,
                                                  const TargetOptions& options);

  // The next address, or nullopt when the spec is exhausted.
  [[nodiscard]] std::optional<Ipv4Address> next();

  // Skips every address up to and including `last` when the walk is over a block (CIDR or a
  // resolved name); octet-range walks are left as they are. Lets an excluded /8 inside a /0 be
  // passed in one step instead of sixteen million.
  void skip_past(Ipv4Address last);

  // Number of addresses the whole walk yields (before any skip), and the 0-based place of
  // `address` in it (an address the walk yields). Shards number addresses with these.
  [[nodiscard]] std::uint64_t size() const { return m_size; }
  [[nodiscard]] std::uint64_t position_of(Ipv4Address address) const;

private:
  AddressCursor() = default;
  void start_block(Ipv4Address network, int prefix_length, const TargetOptions& options);

  // Octet-range walk (odometer over the four octet sets).
  std::optional<OctetRangeSpec> m_octets;
  std::array<std::size_t, 4> m_index{};
  // Block walk: addresses m_next .. m_last (inclusive), as 64-bit so /0 cannot overflow.
  std::uint64_t m_next = 1;
  std::uint64_t m_last = 0;
  std::uint64_t m_first = 1; // m_next at the start of a block walk
  std::uint64_t m_size = 0;
  bool m_done = false;
};

} // namespace stackprint::targets
