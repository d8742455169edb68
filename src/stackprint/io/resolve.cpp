#include "stackprint/io/resolve.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace stackprint::io {
namespace {

struct AddrinfoFree {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};

} // namespace

Expected<std::vector<Ipv4Address>> resolve_ipv4_all(const std::string& name) {
  if (auto literal = parse_ipv4_address(name)) { return std::vector<Ipv4Address>{*literal}; }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM; // one entry per address instead of one per socket type
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &raw);
  std::unique_ptr<addrinfo, AddrinfoFree> list(raw);
  if (rc != 0) { return fail("cannot resolve \"" + name + "\": " + gai_strerror(rc)); }
  std::vector<Ipv4Address> addresses;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET || entry->ai_addr == nullptr || entry->ai_addrlen < sizeof(sockaddr_in)) {
      continue;
    }
    sockaddr_in sin{};
    std::memcpy(&sin, entry->ai_addr, sizeof sin);
    const Ipv4Address address{ntohl(sin.sin_addr.s_addr)};
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) { addresses.push_back(address); }
  }
  if (addresses.empty()) { return fail("cannot resolve \"" + name + "\": no IPv4 address"); }
  return addresses;
}

Expected<Ipv4Address> resolve_ipv4(const std::string& name) {
  auto all = resolve_ipv4_all(name);
  if (!all) { return tl::unexpected(all.error()); }
  return all->front();
}

targets::Resolver make_resolver() {
  return [](const std::string& name) { return resolve_ipv4(name); };
}

Expected<targets::LineSource> open_line_source(const std::filesystem::path& path) {
  if (path == "-") {
    return targets::LineSource([]() -> std::optional<Expected<std::string>> {
      std::string line;
      if (std::getline(std::cin, line)) { return Expected<std::string>(std::move(line)); }
      if (std::cin.bad()) { return Expected<std::string>(tl::unexpected(Error{"read error on standard input"})); }
      return std::nullopt;
    });
  }
  auto file = std::make_shared<std::ifstream>(path);
  if (!*file) { return fail(path.string() + ": cannot open: " + std::strerror(errno)); }
  return targets::LineSource([file, name = path.string()]() -> std::optional<Expected<std::string>> {
    std::string line;
    if (std::getline(*file, line)) { return Expected<std::string>(std::move(line)); }
    if (file->bad()) { return Expected<std::string>(tl::unexpected(Error{"read error"})); }
    return std::nullopt;
  });
}

} // namespace stackprint::io
