#include "stackprint/targets/shard.hpp"

#include <cstdio>
#include <optional>

#include "stackprint/base/decimal.hpp"

namespace stackprint::targets {
namespace {

constexpr std::uint32_t k_max_shards = 1U << 20;
constexpr int k_feistel_rounds = 4;

// SplitMix64's finaliser: a fast, well-mixed 64-bit function for the Feistel rounds.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::optional<std::uint32_t> parse_decimal(std::string_view text) {
  const auto value = stackprint::parse_decimal(text, 10, 0xFFFFFFFFU);
  if (!value) { return std::nullopt; }
  return static_cast<std::uint32_t>(*value);
}

} // namespace

Expected<Shard> parse_shard(std::string_view text) {
  const std::string quoted = "--shard \"" + std::string(text) + "\": ";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) { return fail(quoted + "expected I/N, e.g. 1/4"); }
  const auto index = parse_decimal(text.substr(0, slash));
  const auto count = parse_decimal(text.substr(slash + 1));
  if (!index || !count) { return fail(quoted + "expected I/N with decimal I and N, e.g. 1/4"); }
  if (*count == 0) { return fail(quoted + "N must be at least 1"); }
  if (*count > k_max_shards) { return fail(quoted + "N must be at most " + std::to_string(k_max_shards)); }
  if (*index < 1 || *index > *count) { return fail(quoted + "I must be between 1 and N"); }
  return Shard{*index, *count};
}

IndexPermutation::IndexPermutation(std::uint64_t size, std::uint64_t key)
    : m_size(size == 0 ? 1 : size), m_key(mix64(key)) {
  // The smallest even bit width 2h with 2^(2h) >= size: cycle-walking then needs fewer than four
  // steps on average.
  while ((std::uint64_t{1} << (2 * m_half_bits)) < m_size) { ++m_half_bits; }
}

std::uint64_t IndexPermutation::encrypt(std::uint64_t value) const {
  const std::uint64_t mask = (std::uint64_t{1} << m_half_bits) - 1;
  std::uint64_t left = value >> m_half_bits;
  std::uint64_t right = value & mask;
  for (int round = 0; round < k_feistel_rounds; ++round) {
    const std::uint64_t next = left ^ (mix64(m_key ^ (static_cast<std::uint64_t>(round) << 56) ^ right) & mask);
    left = right;
    right = next;
  }
  return (left << m_half_bits) | right;
}

std::uint64_t IndexPermutation::operator()(std::uint64_t position) const {
  // Cycle-walking: the Feistel network permutes 0..2^(2h)-1; applying it again until the value
  // falls below size gives a permutation of 0..size-1 (the walk stays on position's own cycle).
  std::uint64_t value = encrypt(position % m_size);
  while (value >= m_size) { value = encrypt(value); }
  return value;
}

std::uint32_t shard_of(const IndexPermutation& permutation, std::uint64_t position, std::uint64_t spec_offset,
                       std::uint32_t shard_count) {
  if (shard_count <= 1) { return 1; }
  return static_cast<std::uint32_t>((permutation(position) + spec_offset) % shard_count) + 1;
}

std::string scan_identity(const std::vector<std::string>& target_arguments, std::uint64_t seed,
                          std::uint32_t shard_count) {
  // FNV-1a over length-prefixed fields, so ("ab","c") and ("a","bc") differ.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto add = [&hash](std::string_view field) {
    const std::string length = std::to_string(field.size()) + ":";
    for (const char c : length) { hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL; }
    for (const char c : field) { hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL; }
  };
  for (const std::string& argument : target_arguments) { add(argument); }
  add(std::to_string(seed));
  add(std::to_string(shard_count));
  std::string text(16, '0');
  for (auto digit = text.rbegin(); digit != text.rend(); ++digit, hash >>= 4U) {
    *digit = "0123456789abcdef"[hash & 0xfU];
  }
  return text;
}

} // namespace stackprint::targets
