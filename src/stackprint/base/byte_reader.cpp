#include "stackprint/base/byte_reader.hpp"

#include <fmt/format.h>

namespace stackprint {

Expected<std::span<const std::uint8_t>> ByteReader::take(std::size_t count, std::string_view what) {
  if (count > remaining()) {
    return fail(
        fmt::format("truncated {}: need {} byte(s) at offset {}, only {} left", what, count, offset(), remaining()));
  }
  auto view = m_bytes.subspan(m_position, count);
  m_position += count;
  return view;
}

Expected<std::uint8_t> ByteReader::read_u8(std::string_view what) {
  return take(1, what).map([](std::span<const std::uint8_t> b) { return b[0]; });
}

Expected<std::uint16_t> ByteReader::read_u16(std::string_view what) {
  return take(2, what).map(
      [](std::span<const std::uint8_t> b) { return static_cast<std::uint16_t>((b[0] << 8) | b[1]); });
}

Expected<std::uint32_t> ByteReader::read_u32(std::string_view what) {
  return take(4, what).map([](std::span<const std::uint8_t> b) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
  });
}

Expected<std::span<const std::uint8_t>> ByteReader::read_bytes(std::size_t count, std::string_view what) {
  return take(count, what);
}

std::span<const std::uint8_t> ByteReader::read_rest() {
  auto rest = m_bytes.subspan(m_position);
  m_position = m_bytes.size();
  return rest;
}

std::uint16_t load_u16_be(std::span<const std::uint8_t> bytes, std::size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < 2) { return 0; }
  return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

std::uint32_t load_u32_be(std::span<const std::uint8_t> bytes, std::size_t offset) {
  if (offset > bytes.size() || bytes.size() - offset < 4) { return 0; }
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

} // namespace stackprint
