#pragma once
// Appending big-endian (network order) writer into an owned byte vector. Serialisers write fields
// in wire order, then patch checksums in place once the whole packet is known.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace stackprint {

class ByteWriter {
public:
  ByteWriter() = default;
  // Starts from existing bytes and appends after them.
  explicit ByteWriter(std::vector<std::uint8_t> initial) : m_bytes(std::move(initial)) {}

  void write_u8(std::uint8_t value) { m_bytes.push_back(value); }
  void write_u16(std::uint16_t value);
  void write_u32(std::uint32_t value);
  void write_bytes(std::span<const std::uint8_t> bytes);
  // Appends `count` copies of `value` (padding, payload patterns).
  void write_fill(std::size_t count, std::uint8_t value);

  // Overwrites two already-written bytes at `offset` (big-endian). A patch outside what was
  // written is a programming error and throws std::out_of_range.
  void patch_u16(std::size_t offset, std::uint16_t value);

  [[nodiscard]] std::size_t size() const { return m_bytes.size(); }
  // View of everything written so far; invalidated by the next write.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return m_bytes; }
  [[nodiscard]] std::vector<std::uint8_t> take() && { return std::move(m_bytes); }

private:
  std::vector<std::uint8_t> m_bytes;
};

} // namespace stackprint
