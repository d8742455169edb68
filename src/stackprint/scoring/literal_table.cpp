#include "stackprint/scoring/literal_table.hpp"

#include <array>
#include <cstring>

namespace stackprint::scoring {

namespace {

constexpr std::uint64_t k_multiplier = 0x9E3779B97F4A7C15ULL;

std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h = (h ^ word) * k_multiplier;
  return h ^ (h >> 29U);
}

} // namespace

std::uint64_t LiteralTable::key_hash(std::uint16_t slot, Kind kind, std::string_view text) {
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

bool LiteralTable::same_key(const Entry& e, std::uint32_t tag, std::uint16_t slot, Kind kind,
                            std::string_view text) const {
  if (e.tag != tag) return false;
  const auto* key = reinterpret_cast<const unsigned char*>(m_keys.data() + e.key_offset);
  const std::size_t size = key[0] | (static_cast<std::size_t>(key[1]) << 8U);
  const auto key_slot = static_cast<std::uint16_t>(key[2] | (key[3] << 8U));
  return size == text.size() && key_slot == slot && key[4] == static_cast<unsigned char>(kind) &&
         (text.empty() || std::memcmp(key + k_key_header, text.data(), text.size()) == 0);
}

void LiteralTable::grow() {
  const std::vector<Entry> old = std::move(m_entries);
  const std::vector<std::uint64_t> old_hashes = std::move(m_hashes);
  m_entries.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  m_hashes.assign(m_entries.size(), 0);
  const std::size_t mask = m_entries.size() - 1;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (old[i].key_offset == k_empty) continue;
    std::size_t pos = old_hashes[i] & mask;
    while (m_entries[pos].key_offset != k_empty) pos = (pos + 1) & mask;
    m_entries[pos] = old[i];
    m_hashes[pos] = old_hashes[i];
  }
}

void LiteralTable::insert(std::uint16_t slot, Kind kind, std::string_view text, Range cells) {
  if (text.size() > k_max_text || m_keys.size() + k_key_header + text.size() >= static_cast<std::size_t>(k_empty)) {
    return;
  }
  if ((m_size + 1) * 2 > m_entries.size()) grow();
  const std::uint64_t h = key_hash(slot, kind, text);
  const auto tag = static_cast<std::uint32_t>(h >> 32U);
  const std::size_t mask = m_entries.size() - 1;
  std::size_t pos = h & mask;
  while (m_entries[pos].key_offset != k_empty) {
    if (same_key(m_entries[pos], tag, slot, kind, text)) {
      m_entries[pos].cells = cells;
      return;
    }
    pos = (pos + 1) & mask;
  }
  Entry& e = m_entries[pos];
  e.tag = tag;
  e.key_offset = static_cast<std::uint32_t>(m_keys.size());
  e.cells = cells;
  m_hashes[pos] = h;
  const std::array<char, k_key_header> header = {static_cast<char>(text.size() & 0xFFU),
                                                 static_cast<char>(text.size() >> 8U), static_cast<char>(slot & 0xFFU),
                                                 static_cast<char>(slot >> 8U), static_cast<char>(kind)};
  m_keys.append(header.data(), header.size());
  m_keys.append(text);
  ++m_size;
}

LiteralTable::Range LiteralTable::find(std::uint64_t hash, std::uint16_t slot, Kind kind, std::string_view text) const {
  if (m_entries.empty()) return {};
  const auto tag = static_cast<std::uint32_t>(hash >> 32U);
  const std::size_t mask = m_entries.size() - 1;
  // Terminates: the load is at most 1/2, so a free entry is always met.
  for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
    const Entry& e = m_entries[pos];
    if (e.key_offset == k_empty) return {};
    if (same_key(e, tag, slot, kind, text)) return e.cells;
  }
}

} // namespace stackprint::scoring
