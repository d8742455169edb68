#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/base/decimal.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace stackprint::discovery {
namespace {

// Our own pick of well-known service ports (not a frequency table): remote access, mail, web,
// file sharing, directory, databases, printing, VoIP, management and common alternates.
constexpr std::array<std::uint16_t, 100> k_default_tcp_ports = {
    7,    9,    13,   21,   22,   23,   25,   26,    37,    53,    79,    80,    81,    88,    106,  110,  111,
    113,  119,  135,  139,  143,  144,  179,  199,   389,   427,   443,   444,   445,   465,   513,  514,  515,
    543,  544,  548,  554,  587,  631,  646,  873,   990,   993,   995,   1025,  1026,  1027,  1028, 1029, 1110,
    1433, 1720, 1723, 1755, 1900, 2000, 2001, 2049,  2121,  2717,  3000,  3128,  3306,  3389,  3986, 4899, 5000,
    5009, 5051, 5060, 5101, 5190, 5357, 5432, 5631,  5666,  5800,  5900,  6000,  6001,  6646,  7070, 8000, 8008,
    8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157};

std::optional<unsigned> parse_port_number(std::string_view text) {
  const auto value = parse_decimal(text, 5, 65535);
  return value ? std::optional<unsigned>(static_cast<unsigned>(*value)) : std::nullopt;
}

void normalise(std::vector<std::uint16_t>& ports) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
}

} // namespace

Expected<PortLists> parse_port_spec(std::string_view text) {
  PortLists lists;
  bool udp = false;
  const auto bad = [&](std::string_view item, std::string_view why) {
    return fail("invalid port list \"" + std::string(text) + "\": \"" + std::string(item) + "\" " + std::string(why));
  };
  if (text.empty()) { return fail("invalid port list \"\": empty"); }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    const std::string_view whole_item = item;
    if (item.size() >= 2 && item[1] == ':') {
      const char kind = item[0];
      if (kind == 'T' || kind == 't') {
        udp = false;
      } else if (kind == 'U' || kind == 'u') {
        udp = true;
      } else {
        return bad(whole_item, "has an unsupported protocol prefix (only T: and U:)");
      }
      item.remove_prefix(2);
    }
    if (item.empty()) { return bad(whole_item, "is empty"); }
    unsigned low = 0;
    unsigned high = 0;
    if (const std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      const std::string_view left = item.substr(0, dash);
      const std::string_view right = item.substr(dash + 1);
      const auto lo = left.empty() ? std::optional<unsigned>(1) : parse_port_number(left);
      const auto hi = right.empty() ? std::optional<unsigned>(65535) : parse_port_number(right);
      if (!lo || !hi) { return bad(whole_item, "is not a port number 0-65535 or a range of them"); }
      if (*lo > *hi) { return bad(whole_item, "is a backwards range"); }
      low = *lo;
      high = *hi;
    } else {
      const auto port = parse_port_number(item);
      if (!port) { return bad(whole_item, "is not a port number 0-65535 or a range of them"); }
      low = high = *port;
    }
    auto& list = udp ? lists.udp : lists.tcp;
    for (unsigned port = low; port <= high; ++port) { list.push_back(static_cast<std::uint16_t>(port)); }
    if (comma == text.size()) { break; }
  }
  normalise(lists.tcp);
  normalise(lists.udp);
  return lists;
}

std::span<const std::uint16_t> default_tcp_ports() { return k_default_tcp_ports; }

PortLists discovery_ports(const PortLists* user, bool include_defaults) {
  PortLists lists;
  if (user == nullptr || include_defaults) { lists.tcp.assign(k_default_tcp_ports.begin(), k_default_tcp_ports.end()); }
  if (user != nullptr) {
    lists.tcp.insert(lists.tcp.end(), user->tcp.begin(), user->tcp.end());
    lists.udp = user->udp;
  }
  normalise(lists.tcp);
  normalise(lists.udp);
  return lists;
}

} // namespace stackprint::discovery
