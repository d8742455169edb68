#include "stackprint/base/checksum.hpp"

namespace stackprint {

void InternetChecksum::add_u8(std::uint8_t value) {
  m_sum += m_odd ? std::uint64_t{value} : std::uint64_t{value} << 8;
  m_odd = !m_odd;
}

void InternetChecksum::add(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  if (m_odd && !bytes.empty()) {
    add_u8(bytes[0]);
    i = 1;
  }
  for (; i + 1 < bytes.size(); i += 2) { m_sum += (std::uint64_t{bytes[i]} << 8) | bytes[i + 1]; }
  if (i < bytes.size()) { add_u8(bytes[i]); }
}

void InternetChecksum::add_u16(std::uint16_t value) {
  add_u8(static_cast<std::uint8_t>(value >> 8));
  add_u8(static_cast<std::uint8_t>(value & 0xFF));
}

void InternetChecksum::add_u32(std::uint32_t value) {
  add_u16(static_cast<std::uint16_t>(value >> 16));
  add_u16(static_cast<std::uint16_t>(value & 0xFFFF));
}

std::uint16_t InternetChecksum::finish() const {
  std::uint64_t sum = m_sum;
  while ((sum >> 16) != 0) { sum = (sum & 0xFFFF) + (sum >> 16); }
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  InternetChecksum sum;
  sum.add(bytes);
  return sum.finish();
}

std::uint16_t transport_checksum(std::uint32_t source, std::uint32_t destination, std::uint8_t protocol,
                                 std::span<const std::uint8_t> segment) {
  InternetChecksum sum;
  sum.add_u32(source);
  sum.add_u32(destination);
  sum.add_u8(0);
  sum.add_u8(protocol);
  sum.add_u16(static_cast<std::uint16_t>(segment.size() & 0xFFFF));
  sum.add(segment);
  return sum.finish();
}

} // namespace stackprint
