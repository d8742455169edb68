#pragma once
// Hostname resolution (IPv4 only) and target list files: the I/O halves of targets::TargetStream.

#include <filesystem>
#include <string>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::io {

// Every IPv4 address getaddrinfo() gives for `name`, in its order, duplicates removed. A dotted
// quad resolves to itself without a lookup. Error: "cannot resolve \"NAME\": <reason>" when the
// lookup fails or yields no IPv4 address.
[[nodiscard]] Expected<std::vector<Ipv4Address>> resolve_ipv4_all(const std::string& name);

// The first address of resolve_ipv4_all() (Nmap scans the first and mentions the others).
[[nodiscard]] Expected<Ipv4Address> resolve_ipv4(const std::string& name);

// resolve_ipv4 as a targets::Resolver.
[[nodiscard]] targets::Resolver make_resolver();

// A line source over the file at `path` ("-" means standard input), read one line per call, for
// TargetStream::append_list (-iL) and exclude files. Error when the file cannot be opened.
[[nodiscard]] Expected<targets::LineSource> open_line_source(const std::filesystem::path& path);

} // namespace stackprint::io
