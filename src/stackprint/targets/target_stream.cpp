#include "stackprint/targets/target_stream.hpp"

#include <utility>

namespace stackprint::targets {
namespace {

bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

} // namespace

std::vector<std::string_view> split_target_line(std::string_view line) {
  if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) { line = line.substr(0, hash); }
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && is_separator(line[pos])) { ++pos; }
    const std::size_t start = pos;
    while (pos < line.size() && !is_separator(line[pos])) { ++pos; }
    if (pos > start) { tokens.push_back(line.substr(start, pos - start)); }
  }
  return tokens;
}

Expected<ExclusionSet> ExclusionSet::build(const std::vector<TargetSpec>& specs, const Resolver& resolver) {
  ExclusionSet set;
  for (const TargetSpec& spec : specs) {
    const auto* host = std::get_if<HostnameSpec>(&spec.form);
    if (host == nullptr) {
      set.m_specs.push_back(spec);
      continue;
    }
    auto address = resolver(host->name);
    if (!address) { return fail("--exclude " + spec.text + ": " + address.error().message); }
    const int prefix = host->prefix_length.value_or(32);
    const std::uint32_t mask = prefix == 0 ? 0U : ~std::uint32_t{0} << (32 - prefix);
    set.m_specs.push_back(TargetSpec{spec.text, CidrSpec{Ipv4Address{address->value & mask}, prefix}});
  }
  return set;
}

bool ExclusionSet::contains(Ipv4Address address) const {
  for (const TargetSpec& spec : m_specs) {
    if (spec_contains(spec, address)) { return true; }
  }
  return false;
}

std::optional<Ipv4Address> ExclusionSet::excluded_through(Ipv4Address address) const {
  std::optional<Ipv4Address> through;
  for (const TargetSpec& spec : m_specs) {
    if (!spec_contains(spec, address)) { continue; }
    Ipv4Address last = address;
    if (const auto* block = std::get_if<CidrSpec>(&spec.form)) {
      const std::uint32_t host_bits = block->prefix_length == 0 ? ~0U : ~(~0U << (32 - block->prefix_length));
      last = Ipv4Address{block->network.value | host_bits};
    }
    if (!through || last > *through) { through = last; }
  }
  return through;
}

Expected<std::vector<TargetSpec>> read_target_specs(const LineSource& source, const std::string& source_name) {
  std::vector<TargetSpec> specs;
  std::uint64_t line_number = 0;
  while (auto line = source()) {
    ++line_number;
    if (!*line) { return fail(source_name + ": " + line->error().message); }
    for (std::string_view token : split_target_line(**line)) {
      auto spec = parse_target_spec(token);
      if (!spec) { return fail(source_name + ":" + std::to_string(line_number) + ": " + spec.error().message); }
      specs.push_back(std::move(*spec));
    }
  }
  return specs;
}

TargetStream::TargetStream(std::vector<TargetSpec> specs, TargetOptions options, ExclusionSet exclusions,
                           Resolver resolver)
    : m_options(options), m_exclusions(std::move(exclusions)), m_resolver(std::move(resolver)) {
  for (TargetSpec& spec : specs) {
    m_command_line_count += address_count(spec, m_options);
    m_specs.push_back(PendingSpec{std::move(spec), ""});
  }
}

void TargetStream::append_list(LineSource source, std::string source_name) {
  m_lists.push_back(List{std::move(source), std::move(source_name), 0});
}

void TargetStream::restrict_to_shard(Shard shard, std::uint64_t seed) {
  m_shard = shard;
  m_shard_seed = seed;
}

std::uint64_t TargetStream::command_line_count() const { return m_command_line_count; }

std::optional<TargetStream::PendingSpec> TargetStream::next_pending_spec() {
  if (!m_specs.empty()) {
    PendingSpec spec = std::move(m_specs.front());
    m_specs.pop_front();
    return spec;
  }
  while (true) {
    if (!m_line_tokens.empty()) {
      std::string token = std::move(m_line_tokens.front());
      m_line_tokens.pop_front();
      auto spec = parse_target_spec(token);
      if (!spec) {
        m_pending_error = Error{m_line_origin + ": " + spec.error().message};
        return std::nullopt;
      }
      return PendingSpec{std::move(*spec), m_line_origin};
    }
    if (m_lists.empty()) { return std::nullopt; }
    List& list = m_lists.front();
    auto line = list.source();
    if (!line) {
      m_lists.pop_front();
      continue;
    }
    ++list.line_number;
    if (!*line) {
      m_pending_error = Error{list.name + ": " + line->error().message};
      m_lists.pop_front(); // a failed read ends that list
      return std::nullopt;
    }
    m_line_origin = list.name + ":" + std::to_string(list.line_number);
    for (std::string_view token : split_target_line(**line)) { m_line_tokens.emplace_back(token); }
  }
}

bool TargetStream::advance_spec() {
  auto pending = next_pending_spec();
  if (!pending) { return m_pending_error.has_value(); }
  const std::string prefix = pending->origin.empty() ? "" : pending->origin + ": ";
  // Every spec takes its list positions whether or not its name resolves, so one shard's failed
  // lookup does not move the other shards' addresses.
  const std::uint64_t spec_size = address_count(pending->spec, m_options);
  m_cursor_offset = m_next_spec_offset;
  m_next_spec_offset += spec_size;
  if (m_shard) { m_cursor_permutation.emplace(spec_size, m_shard_seed); }
  if (const auto* host = std::get_if<HostnameSpec>(&pending->spec.form)) {
    auto address = m_resolver(host->name);
    if (!address) {
      m_pending_error = Error{prefix + address.error().message};
      return true;
    }
    m_cursor = AddressCursor::for_resolved(*host, *address, m_options);
    m_cursor_hostname = host->name;
    return true;
  }
  m_cursor = AddressCursor(pending->spec, m_options);
  m_cursor_hostname.clear();
  return true;
}

std::optional<Expected<Target>> TargetStream::next() {
  while (true) {
    if (m_pending_error) {
      Error error = std::move(*m_pending_error);
      m_pending_error.reset();
      return tl::unexpected<Error>(std::move(error));
    }
    if (m_cursor) {
      if (auto address = m_cursor->next()) {
        if (const auto through = m_exclusions.excluded_through(*address)) {
          m_cursor->skip_past(*through);
          continue;
        }
        if (m_shard && m_cursor_permutation &&
            shard_of(*m_cursor_permutation, m_cursor->position_of(*address), m_cursor_offset, m_shard->count) !=
                m_shard->index) {
          continue;
        }
        return Expected<Target>(Target{*address, m_cursor_hostname});
      }
      m_cursor.reset();
    }
    if (!advance_spec()) { return std::nullopt; }
  }
}

} // namespace stackprint::targets
