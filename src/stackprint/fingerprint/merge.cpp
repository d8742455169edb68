#include "stackprint/fingerprint/merge.hpp"

#include <algorithm>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint::fingerprint {
namespace {

bool same_attribute_names(const TestLine& a, const TestLine& b) {
  return std::equal(a.attributes.begin(), a.attributes.end(), b.attributes.begin(), b.attributes.end(),
                    [](const Attribute& x, const Attribute& y) { return x.name == y.name; });
}

} // namespace

Fingerprint merge_rounds(std::span<const Fingerprint> rounds, std::optional<TestLine> scan) {
  std::vector<const TestLine*> all;
  for (const Fingerprint& round : rounds) {
    for (const TestLine& t : round.tests) all.push_back(&t);
  }
  std::stable_sort(all.begin(), all.end(), [](const TestLine* a, const TestLine* b) {
    return nmap_test_order(a->name) < nmap_test_order(b->name);
  });
  Fingerprint merged;
  merged.scan = std::move(scan);
  for (const TestLine* t : all) {
    const bool duplicate = std::any_of(merged.tests.begin(), merged.tests.end(), [t](const TestLine& kept) {
      return kept.name == t->name && same_attribute_names(kept, *t);
    });
    if (!duplicate) merged.tests.push_back(*t);
  }
  return merged;
}

std::string format_merged(std::span<const Fingerprint> rounds, const std::optional<TestLine>& scan,
                          FingerprintLayout layout) {
  if (rounds.empty()) return "(None)";
  if (rounds.size() > k_max_merged_rounds) return "(Too many)";
  const Fingerprint merged = merge_rounds(rounds, scan);
  return layout == FingerprintLayout::wrapped ? format_wrapped(merged) : format_plain(merged);
}

} // namespace stackprint::fingerprint
