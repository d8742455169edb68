#pragma once
// Port-to-service names for the port table, read from Nmap's nmap-services text
// ("name<TAB>port/proto<TAB>frequency [# comment]"). Pure: the caller reads the file.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

class ServiceNames {
public:
  // Lines that do not parse are skipped (the file is informative only). The first name wins.
  [[nodiscard]] static ServiceNames parse(std::string_view text);

  // The service name, or "" when unknown.
  [[nodiscard]] std::string lookup(Protocol protocol, std::uint16_t port) const;
  [[nodiscard]] std::size_t size() const { return m_names.size(); }

private:
  std::map<std::pair<int, std::uint16_t>, std::string> m_names;
};

} // namespace stackprint::output
