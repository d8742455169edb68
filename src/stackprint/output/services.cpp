#include "stackprint/output/services.hpp"

#include "stackprint/base/decimal.hpp"

namespace stackprint::output {

ServiceNames ServiceNames::parse(std::string_view text) {
  ServiceNames names;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab1 = line.find('\t');
    if (tab1 == std::string_view::npos || tab1 == 0) continue;
    std::size_t tab2 = line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) tab2 = line.size();
    const std::string_view port_proto = line.substr(tab1 + 1, tab2 - tab1 - 1);
    const std::size_t slash = port_proto.find('/');
    if (slash == std::string_view::npos) continue;
    const auto port = parse_decimal(port_proto.substr(0, slash), 5, 65535);
    if (!port) continue;
    const std::string_view proto = port_proto.substr(slash + 1);
    int proto_key = 0;
    if (proto == "tcp") {
      proto_key = 0;
    } else if (proto == "udp") {
      proto_key = 1;
    } else {
      continue;
    }
    names.m_names.emplace(std::make_pair(proto_key, static_cast<std::uint16_t>(*port)),
                          std::string(line.substr(0, tab1)));
  }
  return names;
}

std::string ServiceNames::lookup(Protocol protocol, std::uint16_t port) const {
  const auto it = m_names.find({protocol == Protocol::udp ? 1 : 0, port});
  return it == m_names.end() ? std::string() : it->second;
}

} // namespace stackprint::output
