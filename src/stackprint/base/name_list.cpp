#include "stackprint/base/name_list.hpp"

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"

namespace stackprint {

namespace {

// A range item names at most this many names: far more than any list of probes or tests, and it
// keeps "T1-T999999999" from allocating without end.
constexpr std::uint64_t k_max_range_names = 64;

// "T12" -> letters "T", number 12; nullopt unless it is letters then digits.
struct NumberedName {
  std::string_view letters;
  std::uint64_t number = 0;
};

std::optional<NumberedName> split_numbered(std::string_view name) {
  const std::size_t digits = name.find_first_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) return std::nullopt;
  const auto number = parse_decimal(name.substr(digits), 9, 999'999'999);
  if (!number) return std::nullopt;
  return NumberedName{name.substr(0, digits), *number};
}

Expected<void> expand_range(std::string_view item, std::size_t dash, std::vector<ListedName>& out) {
  const auto bad = [item] {
    return fail(fmt::format("'{}': a range is FIRST-LAST of the same letters with numbers, e.g. T2-T7 or T2-7", item));
  };
  const auto first = split_numbered(item.substr(0, dash));
  if (!first) return bad();
  std::string_view last_text = item.substr(dash + 1);
  std::string last_name;
  if (!last_text.empty() && last_text.find_first_not_of("0123456789") == std::string_view::npos) {
    last_name = std::string(first->letters) + std::string(last_text); // "T2-7"
    last_text = last_name;
  }
  const auto last = split_numbered(last_text);
  if (!last || last->letters != first->letters || last->number < first->number) return bad();
  if (last->number - first->number >= k_max_range_names) {
    return fail(fmt::format("'{}': a range of more than {} names", item, k_max_range_names));
  }
  for (std::uint64_t n = first->number; n <= last->number; ++n) {
    out.push_back({fmt::format("{}{}", first->letters, n), item});
  }
  return {};
}

} // namespace

Expected<std::vector<ListedName>> parse_name_list(std::string_view text) {
  std::vector<ListedName> out;
  std::size_t pos = text.find_first_not_of(' ');
  if (pos == std::string_view::npos) return fail("an empty list");
  // Each turn reads one item and the separator after it.
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find_first_of(", ", pos), text.size());
    const std::string_view item = text.substr(pos, end - pos);
    if (item.empty()) return fail("an empty item (two commas, or a comma at either end)");
    if (const std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      if (auto expanded = expand_range(item, dash, out); !expanded) return tl::unexpected(expanded.error());
    } else {
      out.push_back({std::string(item), item});
    }
    // The separator: spaces, at most one comma among them; a comma must be followed by an item.
    pos = text.find_first_not_of(' ', end);
    if (pos != std::string_view::npos && text[pos] == ',') {
      pos = text.find_first_not_of(' ', pos + 1);
      if (pos == std::string_view::npos || text[pos] == ',') {
        return fail("an empty item (two commas, or a comma at either end)");
      }
    }
    if (pos == std::string_view::npos) break;
  }
  return out;
}

} // namespace stackprint
