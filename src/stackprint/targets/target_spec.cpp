#include "stackprint/targets/target_spec.hpp"
#include "stackprint/base/decimal.hpp"

#include <algorithm>
#include <bitset>

namespace stackprint::targets {
namespace {

bool is_address_form(std::string_view token) {
  return std::all_of(token.begin(), token.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == ',' || c == '-' || c == '*'; });
}

bool is_hostname_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Decimal 0-255 of 1-3 digits; nullopt otherwise.
std::optional<unsigned> parse_octet_number(std::string_view text) {
  const auto value = parse_decimal(text, 3, 255);
  return value ? std::optional<unsigned>(static_cast<unsigned>(*value)) : std::nullopt;
}

Expected<std::vector<std::uint8_t>> parse_octet_set(std::string_view octet, std::string_view token) {
  const auto bad = [&](std::string_view why) {
    return fail("invalid target " + quoted(token) + ": octet " + quoted(octet) + " " + std::string(why));
  };
  if (octet.empty()) { return bad("is empty"); }
  std::bitset<256> members;
  std::size_t start = 0;
  while (start <= octet.size()) {
    const std::size_t comma = std::min(octet.find(',', start), octet.size());
    const std::string_view item = octet.substr(start, comma - start);
    if (item.empty()) { return bad("has an empty list item"); }
    unsigned low = 0;
    unsigned high = 255;
    if (item == "*" || item == "-") {
      // the whole octet
    } else if (const std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      const std::string_view left = item.substr(0, dash);
      const std::string_view right = item.substr(dash + 1);
      const auto lo = left.empty() ? std::optional<unsigned>(0) : parse_octet_number(left);
      const auto hi = right.empty() ? std::optional<unsigned>(255) : parse_octet_number(right);
      if (!lo || !hi) { return bad("is not a number 0-255 or a range of them"); }
      if (*lo > *hi) { return bad("has a backwards range " + quoted(item)); }
      low = *lo;
      high = *hi;
    } else {
      const auto value = parse_octet_number(item);
      if (!value) { return bad("is not a number 0-255 or a range of them"); }
      low = high = *value;
    }
    for (unsigned v = low; v <= high; ++v) { members.set(v); }
    start = comma + 1;
  }
  std::vector<std::uint8_t> values;
  for (unsigned v = 0; v < 256; ++v) {
    if (members.test(v)) { values.push_back(static_cast<std::uint8_t>(v)); }
  }
  return values;
}

Expected<int> parse_prefix(std::string_view text, std::string_view token) {
  const auto value = parse_octet_number(text);
  if (!value || *value > 32) {
    return fail("invalid target " + quoted(token) + ": CIDR prefix " + quoted(text) + " is not 0-32");
  }
  return static_cast<int>(*value);
}

std::uint32_t prefix_mask(int prefix_length) {
  return prefix_length == 0 ? 0U : ~std::uint32_t{0} << (32 - prefix_length);
}

std::uint64_t block_count(int prefix_length, const TargetOptions& options) {
  const std::uint64_t size = std::uint64_t{1} << (32 - prefix_length);
  return (prefix_length <= 30 && !options.include_network_and_broadcast) ? size - 2 : size;
}

} // namespace

Expected<TargetSpec> parse_target_spec(std::string_view token) {
  if (token.empty()) { return fail("invalid target \"\": empty"); }
  TargetSpec spec;
  spec.text = std::string(token);
  const std::size_t slash = token.find('/');
  const std::string_view host_part = token.substr(0, slash);
  std::optional<int> prefix;
  if (slash != std::string_view::npos) {
    auto parsed = parse_prefix(token.substr(slash + 1), token);
    if (!parsed) { return tl::unexpected(parsed.error()); }
    prefix = *parsed;
  }
  if (host_part.empty()) { return fail("invalid target " + quoted(token) + ": nothing before the \"/\""); }
  if (is_address_form(host_part)) {
    if (prefix) {
      auto address = parse_ipv4_address(host_part);
      if (!address) {
        return fail("invalid target " + quoted(token) + ": a CIDR block needs a plain address before the \"/\"");
      }
      spec.form = CidrSpec{Ipv4Address{address->value & prefix_mask(*prefix)}, *prefix};
      return spec;
    }
    OctetRangeSpec range;
    std::size_t start = 0;
    for (int i = 0; i < 4; ++i) {
      const std::size_t dot = host_part.find('.', start);
      if ((i < 3 && dot == std::string_view::npos) || (i == 3 && dot != std::string_view::npos)) {
        return fail("invalid target " + quoted(token) + ": expected four dot-separated octets");
      }
      const std::string_view octet = host_part.substr(start, (i < 3 ? dot : host_part.size()) - start);
      auto values = parse_octet_set(octet, token);
      if (!values) { return tl::unexpected(values.error()); }
      range.octets[static_cast<std::size_t>(i)] = std::move(*values);
      start = dot + 1;
    }
    spec.form = std::move(range);
    return spec;
  }
  if (host_part.size() > 253 || !std::all_of(host_part.begin(), host_part.end(), is_hostname_char) ||
      host_part.front() == '-' || host_part.front() == '.') {
    return fail("invalid target " + quoted(token) + ": neither an address form nor a valid hostname");
  }
  spec.form = HostnameSpec{std::string(host_part), prefix};
  return spec;
}

std::uint64_t address_count(const TargetSpec& spec, const TargetOptions& options) {
  if (const auto* range = std::get_if<OctetRangeSpec>(&spec.form)) {
    std::uint64_t count = 1;
    for (const auto& octet : range->octets) { count *= octet.size(); }
    return count;
  }
  if (const auto* block = std::get_if<CidrSpec>(&spec.form)) { return block_count(block->prefix_length, options); }
  const auto& host = std::get<HostnameSpec>(spec.form);
  return host.prefix_length ? block_count(*host.prefix_length, options) : 1;
}

bool spec_contains(const TargetSpec& spec, Ipv4Address address) {
  if (const auto* range = std::get_if<OctetRangeSpec>(&spec.form)) {
    for (std::size_t i = 0; i < 4; ++i) {
      const auto octet = static_cast<std::uint8_t>(address.value >> (24 - 8 * i));
      if (!std::binary_search(range->octets[i].begin(), range->octets[i].end(), octet)) { return false; }
    }
    return true;
  }
  if (const auto* block = std::get_if<CidrSpec>(&spec.form)) {
    return (address.value & prefix_mask(block->prefix_length)) == block->network.value;
  }
  return false;
}

AddressCursor::AddressCursor(const TargetSpec& spec, const TargetOptions& options) {
  if (const auto* range = std::get_if<OctetRangeSpec>(&spec.form)) {
    m_octets = *range;
    m_done = std::any_of(range->octets.begin(), range->octets.end(), [](const auto& o) { return o.empty(); });
    m_size = address_count(spec, options);
  } else if (const auto* block = std::get_if<CidrSpec>(&spec.form)) {
    start_block(block->network, block->prefix_length, options);
  } else {
    m_done = true;
  }
}

AddressCursor AddressCursor::for_resolved(const HostnameSpec& spec, Ipv4Address address, const TargetOptions& options) {
  AddressCursor cursor;
  if (spec.prefix_length) {
    cursor.start_block(Ipv4Address{address.value & prefix_mask(*spec.prefix_length)}, *spec.prefix_length, options);
  } else {
    cursor.m_next = address.value;
    cursor.m_last = address.value;
    cursor.m_first = address.value;
    cursor.m_size = 1;
  }
  return cursor;
}

void AddressCursor::start_block(Ipv4Address network, int prefix_length, const TargetOptions& options) {
  const std::uint64_t size = std::uint64_t{1} << (32 - prefix_length);
  m_next = network.value;
  m_last = network.value + size - 1;
  if (prefix_length <= 30 && !options.include_network_and_broadcast) {
    ++m_next;
    --m_last;
  }
  m_first = m_next;
  m_size = m_last + 1 - m_next;
}

std::uint64_t AddressCursor::position_of(Ipv4Address address) const {
  if (!m_octets) { return address.value - m_first; }
  // Mixed-radix place of the address in the odometer, last octet fastest.
  std::uint64_t position = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& set = m_octets->octets[i];
    const auto octet = static_cast<std::uint8_t>(address.value >> (24 - 8 * i));
    position = position * set.size() +
               static_cast<std::uint64_t>(std::lower_bound(set.begin(), set.end(), octet) - set.begin());
  }
  return position;
}

void AddressCursor::skip_past(Ipv4Address last) {
  if (!m_octets && !m_done) { m_next = std::max<std::uint64_t>(m_next, std::uint64_t{last.value} + 1); }
}

std::optional<Ipv4Address> AddressCursor::next() {
  if (m_done) { return std::nullopt; }
  if (!m_octets) {
    if (m_next > m_last) {
      m_done = true;
      return std::nullopt;
    }
    return Ipv4Address{static_cast<std::uint32_t>(m_next++)};
  }
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) { value = (value << 8) | m_octets->octets[i][m_index[i]]; }
  // Advance the odometer, last octet fastest.
  std::size_t i = 4;
  while (i-- > 0) {
    if (++m_index[i] < m_octets->octets[i].size()) { break; }
    m_index[i] = 0;
    if (i == 0) { m_done = true; }
  }
  return Ipv4Address{value};
}

} // namespace stackprint::targets
