#pragma once
// Splitting one scan into N disjoint shards (--shard I/N, --seed S), as masscan and ZMap do.
//
// Every address of the target list has a position: specs are numbered in the order they are read
// (command line, then -iL lists), and the addresses of a spec in the order its cursor walks them.
// A spec of M addresses starting at list position O gives its address at spec position p to shard
// ((perm(p) + O) mod N) + 1, where perm is a keyed bijection of 0..M-1 (a Feistel network with
// cycle-walking, keyed by the seed). So the shards are disjoint and together cover the list, each
// spec's addresses are spread over the shards in a seeded order, and shard sizes differ by at most
// one before --exclude. Nothing is listed: perm is computed per address in O(1) memory.
//
// All shards of one scan must be given the same targets, exclusions, N and seed; one shard alone
// cannot see that another used a different seed, so each shard records scan_identity() in its
// output and `stackprint merge` compares them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"

namespace stackprint::targets {

struct Shard {
  std::uint32_t index = 1; // 1-based, 1 <= index <= count
  std::uint32_t count = 1;

  friend bool operator==(const Shard&, const Shard&) = default;
};

// Parses "I/N" (decimal, 1 <= I <= N, N <= 2^20). Error: one line naming the bad text.
[[nodiscard]] Expected<Shard> parse_shard(std::string_view text);

// A keyed bijection of 0..size-1 (size 1..2^32). Equal (size, key) give equal permutations.
class IndexPermutation {
public:
  IndexPermutation(std::uint64_t size, std::uint64_t key);
  [[nodiscard]] std::uint64_t operator()(std::uint64_t position) const;
  [[nodiscard]] std::uint64_t size() const { return m_size; }

private:
  [[nodiscard]] std::uint64_t encrypt(std::uint64_t value) const;

  std::uint64_t m_size;
  std::uint64_t m_key;
  int m_half_bits = 1;
};

// The 1-based shard of the address at `position` of a spec of `spec_size` addresses that starts at
// list position `spec_offset`; `permutation` is IndexPermutation(spec_size, seed).
[[nodiscard]] std::uint32_t shard_of(const IndexPermutation& permutation, std::uint64_t position,
                                     std::uint64_t spec_offset, std::uint32_t shard_count);

// A short hex digest naming one sharded scan: the target arguments (command-line specs, -iL and
// exclusion arguments, in order), the seed and the shard count. Shards of one scan share it.
[[nodiscard]] std::string scan_identity(const std::vector<std::string>& target_arguments, std::uint64_t seed,
                                        std::uint32_t shard_count);

} // namespace stackprint::targets
