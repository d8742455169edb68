#include "stackprint/response_tests/ip_id.hpp"

#include <algorithm>

#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {
namespace {

bool is_incremental_for_ss(IpIdClass c) {
  // SEQ.SS: incr-by-2 is excluded although it prints as I (7.93).
  return c == IpIdClass::incremental || c == IpIdClass::broken_incremental || c == IpIdClass::random_positive;
}

IpIdClass classify_with_minimum(std::span<const std::uint32_t> ids, bool localhost, std::size_t minimum) {
  return ids.size() < minimum ? IpIdClass::unknown : classify_ip_ids(ids, localhost);
}

} // namespace

std::vector<std::uint32_t> compact_ip_ids(std::span<const std::optional<std::uint16_t>> samples) {
  std::vector<std::uint32_t> out;
  for (const auto& s : samples) {
    if (s) out.push_back(*s);
  }
  return out;
}

// SEQ.TI / SEQ.CI / SEQ.II: Nmap's get_diffs + get_ipid_sequence_16 + identify_sequence.
IpIdClass classify_ip_ids(std::span<const std::uint32_t> ids, bool scanning_localhost) {
  if (ids.size() < 2) return IpIdClass::unknown;
  std::vector<std::uint32_t> diffs(ids.size() - 1);
  bool all_zero = true;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i - 1] != 0 || ids[i] != 0) all_zero = false;
    diffs[i - 1] = ids[i] - ids[i - 1]; // u32 wrap: a decrease is a huge diff
    if (ids.size() > 2 && diffs[i - 1] > 20000) return IpIdClass::random;
  }
  if (all_zero) return IpIdClass::zero;
  for (auto& d : diffs) d &= 0xFFFFu;

  if (scanning_localhost && std::all_of(diffs.begin(), diffs.end(), [](std::uint32_t d) { return d >= 2; })) {
    // Our own RSTs on the loopback consume IDs from the same counter.
    for (auto& d : diffs) d -= (d % 256 == 0) ? 256 : 1;
  }
  if (std::all_of(diffs.begin(), diffs.end(), [](std::uint32_t d) { return d == 0; })) return IpIdClass::constant;
  for (const std::uint32_t d : diffs) {
    if (d > 1000 && (d % 256 != 0 || d >= 25600)) return IpIdClass::random_positive;
  }
  if (std::all_of(diffs.begin(), diffs.end(), [](std::uint32_t d) { return d <= 5120 && d % 256 == 0; })) {
    return IpIdClass::broken_incremental;
  }
  if (std::all_of(diffs.begin(), diffs.end(), [](std::uint32_t d) { return d % 2 == 0; })) {
    return IpIdClass::incremental_by_2;
  }
  if (std::all_of(diffs.begin(), diffs.end(), [](std::uint32_t d) { return d <= 9; })) return IpIdClass::incremental;
  return IpIdClass::unknown;
}

IpIdClass classify_ti(std::span<const std::uint32_t> ids, bool localhost) {
  return classify_with_minimum(ids, localhost, k_min_ti_samples);
}
IpIdClass classify_ci(std::span<const std::uint32_t> ids, bool localhost) {
  return classify_with_minimum(ids, localhost, k_min_ci_samples);
}
IpIdClass classify_ii(std::span<const std::uint32_t> ids, bool localhost) {
  return classify_with_minimum(ids, localhost, k_min_ii_samples);
}

// make_aval_ipid_seq: the printed TI/CI/II value.
std::optional<std::string> ip_id_value(IpIdClass cls, std::span<const std::uint32_t> ids) {
  switch (cls) {
  case IpIdClass::constant:
    if (ids.empty()) return std::nullopt;
    return hex(ids.front());
  case IpIdClass::incremental:
  case IpIdClass::incremental_by_2: return "I";
  case IpIdClass::broken_incremental: return "BI";
  case IpIdClass::random_positive: return "RI";
  case IpIdClass::random: return "RD";
  case IpIdClass::zero: return "Z";
  case IpIdClass::unknown: return std::nullopt;
  }
  return std::nullopt;
}

// SEQ.SS: shared IP ID sequence between TCP (SEQ replies) and ICMP (IE replies).
std::optional<std::string> shared_ip_id_value(IpIdClass ti_class, std::span<const std::uint32_t> ti_ids,
                                              IpIdClass ii_class, std::span<const std::uint32_t> ii_ids) {
  if (!is_incremental_for_ss(ti_class) || !is_incremental_for_ss(ii_class)) return std::nullopt;
  if (ti_ids.size() < 2 || ii_ids.empty()) return std::nullopt;
  const std::uint32_t last = ti_ids.back();
  const std::uint32_t avg = (last - ti_ids.front()) / static_cast<std::uint32_t>(ti_ids.size() - 1);
  return ii_ids.front() < last + 3 * avg ? "S" : "O";
}

const char* ip_id_class_words(IpIdClass cls) {
  switch (cls) {
  case IpIdClass::constant: return "Duplicated ipid (!)";
  case IpIdClass::incremental: return "Incremental";
  case IpIdClass::incremental_by_2: return "Incrementing by 2";
  case IpIdClass::broken_incremental: return "Broken little-endian incremental";
  case IpIdClass::random: return "Randomized";
  case IpIdClass::random_positive: return "Random positive increments";
  case IpIdClass::zero: return "All zeros";
  case IpIdClass::unknown: return "Busy server or unknown class";
  }
  return "Busy server or unknown class";
}

} // namespace stackprint::response_tests
