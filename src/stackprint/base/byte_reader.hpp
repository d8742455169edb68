#pragma once
// Bounds-checked, big-endian (network order) reading of untrusted bytes. Every read either returns
// the value and advances, or returns an Error naming what was being read, the absolute byte offset
// and how many bytes were missing; it never reads past the span.
//
// The reader borrows the span: the bytes must outlive the reader and every span it returns.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "stackprint/base/expected.hpp"

namespace stackprint {

class ByteReader {
public:
  // `base_offset` is the position of bytes[0] inside the enclosing buffer (for example the IP
  // header length when reading a TCP header); it only changes the offsets reported in errors.
  explicit ByteReader(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0)
      : m_bytes(bytes), m_base_offset(base_offset) {}

  // Absolute offset of the next byte to read (base_offset + bytes consumed).
  [[nodiscard]] std::size_t offset() const { return m_base_offset + m_position; }
  [[nodiscard]] std::size_t remaining() const { return m_bytes.size() - m_position; }
  [[nodiscard]] bool empty() const { return remaining() == 0; }

  // `what` names the field for the error message, e.g. "tcp window".
  [[nodiscard]] Expected<std::uint8_t> read_u8(std::string_view what);
  [[nodiscard]] Expected<std::uint16_t> read_u16(std::string_view what);
  [[nodiscard]] Expected<std::uint32_t> read_u32(std::string_view what);
  // A view of the next `count` bytes (borrowed from the reader's span).
  [[nodiscard]] Expected<std::span<const std::uint8_t>> read_bytes(std::size_t count, std::string_view what);
  // Everything not yet read (possibly empty); never fails.
  [[nodiscard]] std::span<const std::uint8_t> read_rest();
  // The unread bytes without consuming them.
  [[nodiscard]] std::span<const std::uint8_t> peek_rest() const { return m_bytes.subspan(m_position); }

private:
  [[nodiscard]] Expected<std::span<const std::uint8_t>> take(std::size_t count, std::string_view what);

  std::span<const std::uint8_t> m_bytes;
  std::size_t m_base_offset = 0;
  std::size_t m_position = 0;
};

// Big-endian loads from a span at a given offset, for code that checks lengths once up front.
// They return 0 for any out-of-range access instead of reading past the span, so a wrong length
// check is a wrong value, never a memory error.
[[nodiscard]] std::uint16_t load_u16_be(std::span<const std::uint8_t> bytes, std::size_t offset);
[[nodiscard]] std::uint32_t load_u32_be(std::span<const std::uint8_t> bytes, std::size_t offset);

} // namespace stackprint
