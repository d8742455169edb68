#pragma once
// Which reference each emulated address runs: the address block of `stackprint emulate --net` and
// the personality selector (a Fingerprint name, a database line number, or `random`).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/os_db.hpp"

namespace stackprint::emulation {

// Host addresses of "a.b.c.d" or "a.b.c.d/N" (N = 16..32), host order, ascending. For N <= 30 the
// network and broadcast addresses are left out. Errors: malformed text, prefix below 16 (more than
// 65534 hosts), host bits set in the network address.
[[nodiscard]] Expected<std::vector<std::uint32_t>> emulated_addresses(std::string_view cidr);

// One reference index per address (`count` addresses). Selector forms:
//   "random"     a different reference per address while the database has enough, drawn from `seed`
//   "12345"      the reference whose Fingerprint line is line 12345 of the database file
//   other text   the first reference with exactly this name (then case-insensitively)
// Errors: empty selector, no such line or name, an empty database.
[[nodiscard]] Expected<std::vector<std::size_t>> select_references(const database::OsDb& db, std::string_view selector,
                                                                   std::size_t count, std::uint64_t seed);

} // namespace stackprint::emulation
