#include "stackprint/scoring/literal_table.hpp"

#include <cstring>
#include <limits>

namespace stackprint::scoring {

namespace {

constexpr std::uint64_t k_multiplier = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h = (h ^ word) * k_multiplier;
  return h ^ (h >> 29U);
}

} // namespace

std::uint64_t LiteralTable::hash(std::uint16_t slot, Kind kind, std::string_view text) {
  // The slot, kind and length first, so equal texts of different slots (or a text and its zero-padded
  // extension) hash apart; then the text 8 bytes at a time, the tail zero-padded.
  std::uint64_t h = mix(0x243F6A8885A308D3ULL, (static_cast<std::uint64_t>(slot) << 40U) |
                                                   (static_cast<std::uint64_t>(kind) << 32U) | text.size());
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, 8);
    h = mix(h, word);
  }
  if (i < text.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, text.size() - i);
    h = mix(h, word);
  }
  return h;
}

bool LiteralTable::same_key(const Entry& e, std::uint64_t h, std::uint16_t slot, Kind kind,
                            std::string_view text) const {
  return e.hash == h && e.slot == slot && e.kind == kind && e.text_size == text.size() &&
         (text.empty() || std::memcmp(m_text.data() + e.text_offset, text.data(), text.size()) == 0);
}

void LiteralTable::grow() {
  std::vector<Entry> old = std::move(m_entries);
  m_entries.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  const std::size_t mask = m_entries.size() - 1;
  for (const Entry& e : old) {
    if (e.text_offset == k_empty) continue;
    std::size_t pos = e.hash & mask;
    while (m_entries[pos].text_offset != k_empty) pos = (pos + 1) & mask;
    m_entries[pos] = e;
  }
}

void LiteralTable::insert(std::uint16_t slot, Kind kind, std::string_view text, Range cells) {
  if (text.size() > std::numeric_limits<std::uint16_t>::max() ||
      m_text.size() + text.size() >= static_cast<std::size_t>(k_empty)) {
    return;
  }
  if ((m_size + 1) * 2 > m_entries.size()) grow();
  const std::uint64_t h = hash(slot, kind, text);
  const std::size_t mask = m_entries.size() - 1;
  std::size_t pos = h & mask;
  while (m_entries[pos].text_offset != k_empty) {
    if (same_key(m_entries[pos], h, slot, kind, text)) {
      m_entries[pos].cells = cells;
      return;
    }
    pos = (pos + 1) & mask;
  }
  Entry& e = m_entries[pos];
  e.hash = h;
  e.text_offset = static_cast<std::uint32_t>(m_text.size());
  e.text_size = static_cast<std::uint16_t>(text.size());
  e.slot = slot;
  e.kind = kind;
  e.cells = cells;
  m_text.append(text);
  ++m_size;
}

LiteralTable::Range LiteralTable::find(std::uint16_t slot, Kind kind, std::string_view text) const {
  if (m_entries.empty()) return {};
  const std::uint64_t h = hash(slot, kind, text);
  const std::size_t mask = m_entries.size() - 1;
  // Terminates: the load is at most 1/2, so a free entry is always met.
  for (std::size_t pos = h & mask;; pos = (pos + 1) & mask) {
    const Entry& e = m_entries[pos];
    if (e.text_offset == k_empty) return {};
    if (same_key(e, h, slot, kind, text)) return e.cells;
  }
}

} // namespace stackprint::scoring
