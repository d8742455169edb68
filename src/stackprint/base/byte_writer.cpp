#include "stackprint/base/byte_writer.hpp"

#include <stdexcept>

namespace stackprint {

void ByteWriter::write_u16(std::uint16_t value) {
  m_bytes.push_back(static_cast<std::uint8_t>(value >> 8));
  m_bytes.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

void ByteWriter::write_u32(std::uint32_t value) {
  write_u16(static_cast<std::uint16_t>(value >> 16));
  write_u16(static_cast<std::uint16_t>(value & 0xFFFF));
}

void ByteWriter::write_bytes(std::span<const std::uint8_t> bytes) {
  m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
}

void ByteWriter::write_fill(std::size_t count, std::uint8_t value) { m_bytes.insert(m_bytes.end(), count, value); }

void ByteWriter::patch_u16(std::size_t offset, std::uint16_t value) {
  if (offset > m_bytes.size() || m_bytes.size() - offset < 2) {
    throw std::out_of_range("ByteWriter::patch_u16 outside the written bytes");
  }
  m_bytes[offset] = static_cast<std::uint8_t>(value >> 8);
  m_bytes[offset + 1] = static_cast<std::uint8_t>(value & 0xFF);
}

} // namespace stackprint
