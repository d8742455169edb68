#include "stackprint/emulation/host_plan.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/emulation/generators.hpp"

namespace stackprint::emulation {

Expected<std::vector<std::uint32_t>> emulated_addresses(std::string_view cidr) {
  const std::size_t slash = cidr.find('/');
  const auto address = parse_ipv4_address(cidr.substr(0, slash));
  if (!address) return fail(fmt::format("--net '{}': {}", cidr, address.error().message));
  int prefix = 32;
  if (slash != std::string_view::npos) {
    const auto digits = parse_decimal(cidr.substr(slash + 1), 2, 99);
    if (!digits) return fail(fmt::format("--net '{}': the prefix length must be a number 16-32", cidr));
    prefix = static_cast<int>(*digits);
  }
  if (prefix < 16 || prefix > 32) return fail(fmt::format("--net '{}': the prefix length must be 16-32", cidr));
  const std::uint32_t base = address->value;
  const std::uint32_t host_mask = prefix == 32 ? 0U : (0xFFFFFFFFU >> static_cast<unsigned>(prefix));
  if ((base & host_mask) != 0) return fail(fmt::format("--net '{}': host bits are set in the network address", cidr));
  std::vector<std::uint32_t> out;
  const std::uint64_t size = std::uint64_t{host_mask} + 1U;
  for (std::uint64_t i = 0; i < size; ++i) {
    if (prefix <= 30 && (i == 0 || i + 1 == size)) continue;
    out.push_back(base + static_cast<std::uint32_t>(i));
  }
  return out;
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
} // namespace

Expected<std::vector<std::size_t>> select_references(const database::OsDb& db, std::string_view selector,
                                                     std::size_t count, std::uint64_t seed) {
  const auto& refs = db.references();
  if (refs.empty()) return fail("the database holds no Fingerprint entries");
  if (selector.empty()) return fail("--personality: empty selector (a Fingerprint name, a line number or 'random')");
  if (selector == "random") {
    // A seeded shuffle, so every address gets a different reference while there are enough.
    std::vector<std::size_t> order(refs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    SplitMix rng(mix_seed(seed, std::string_view("select_references")));
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t pos = i % refs.size();
      if (pos == 0 && i > 0) rng.next();
      const std::size_t pick = pos + rng.below(refs.size() - pos);
      std::swap(order[pos], order[pick]);
      out.push_back(order[pos]);
    }
    return out;
  }
  if (std::all_of(selector.begin(), selector.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const auto line_number = parse_decimal(selector, 9, 999'999'999);
    if (!line_number) return fail(fmt::format("--personality: line number {} is out of range", selector));
    const auto line = static_cast<int>(*line_number);
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (refs[i].line == line) return std::vector<std::size_t>(count, i);
    }
    return fail(fmt::format("--personality: no Fingerprint starts at line {} of the database", line));
  }
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].name == selector) return std::vector<std::size_t>(count, i);
  }
  const std::string wanted = lower(selector);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (lower(refs[i].name) == wanted) return std::vector<std::size_t>(count, i);
  }
  return fail(
      fmt::format("--personality: no Fingerprint named '{}' (use a name, a line number or 'random')", selector));
}

} // namespace stackprint::emulation
