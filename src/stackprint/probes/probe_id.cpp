#include "stackprint/probes/probe_id.hpp"

namespace stackprint::probes {
namespace {

constexpr std::array<std::string_view, k_probe_count> k_probe_names{
    "SEQ1", "SEQ2", "SEQ3", "SEQ4", "SEQ5", "SEQ6", "OPS1", "OPS2", "OPS3", "OPS4", "OPS5", "OPS6",
    "ECN",  "T1",   "T2",   "T3",   "T4",   "T5",   "T6",   "T7",   "IE1",  "IE2",  "U1"};

} // namespace

std::string_view probe_name(ProbeId id) {
  const auto index = static_cast<std::size_t>(id);
  return index < k_probe_names.size() ? k_probe_names[index] : std::string_view("?");
}

std::optional<ProbeId> probe_from_name(std::string_view name) {
  for (ProbeId id : k_all_probe_ids) {
    if (probe_name(id) == name) { return id; }
  }
  return std::nullopt;
}

} // namespace stackprint::probes
