#pragma once
// CRC-32 as in zlib/Ethernet: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final
// XOR 0xFFFFFFFF. Nmap's RD test (T1-T7, "RST data checksum") is this CRC of the RST payload.
// Check value: crc32("123456789") == 0xCBF43926.

#include <cstdint>
#include <span>

namespace stackprint {

[[nodiscard]] std::uint32_t crc32(std::span<const std::uint8_t> bytes);

} // namespace stackprint
