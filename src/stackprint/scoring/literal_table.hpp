#pragma once
// A flat hash table from (slot, kind, text) to a range of cell ids: the Matcher's index of the
// database's plain literal alternatives (`Y`, `M5B4ST11`, `A|AS`), looked up once per subject value
// (and once per distinct prefix length for Nmap 7.93's prefix-compared alternatives): about 200
// lookups per match against ~13,000 keys for nmap-os-db.
//
// Why not std::unordered_map<std::string_view, ...> per slot: a lookup there hashes the whole key
// with a byte-wise hash, takes a modulo by a prime and chases a node pointer into memory that is
// rarely in cache. Here the entries are 16 bytes in one contiguous array (open addressing, linear
// probing, power-of-two size, load at most 1/2) holding a 32-bit hash tag, so a miss reads one entry
// and a hit reads one entry plus its key; the keys (slot, kind, text) sit back to back in one string.
// Lookups are split in two so that a caller with many keys can start every memory access before it
// needs the first answer: key_hash() + prefetch() for all keys, then find() for each.
//
// Texts are copied in, so the table does not depend on the database's storage. insert() is not
// thread-safe; the const members may be called concurrently.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stackprint::scoring {

class LiteralTable {
public:
  enum class Kind : std::uint8_t {
    exact,  // the value equals the text
    prefix, // the value starts with the text (7.93's non-last alternatives)
  };
  // Cell ids begin .. end-1 (in the Matcher: a range of its hit list). Empty when begin == end.
  struct Range {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    friend bool operator==(const Range&, const Range&) = default;
  };

  // Adds or replaces the range of (slot, kind, text). Texts longer than k_max_text are not stored (no
  // subject value is that long: find() then never matches them, as for any absent key).
  void insert(std::uint16_t slot, Kind kind, std::string_view text, Range cells);

  // The range stored for (slot, kind, text), or an empty range.
  [[nodiscard]] Range find(std::uint16_t slot, Kind kind, std::string_view text) const {
    return find(key_hash(slot, kind, text), slot, kind, text);
  }
  // The same in two steps; `hash` must be key_hash(slot, kind, text).
  [[nodiscard]] static std::uint64_t key_hash(std::uint16_t slot, Kind kind, std::string_view text);
  void prefetch(std::uint64_t hash) const {
    if (!m_entries.empty()) __builtin_prefetch(&m_entries[hash & (m_entries.size() - 1)]);
  }
  [[nodiscard]] Range find(std::uint64_t hash, std::uint16_t slot, Kind kind, std::string_view text) const;

  [[nodiscard]] std::size_t size() const { return m_size; }

  static constexpr std::size_t k_max_text = 0xFFFF;

private:
  struct Entry {
    std::uint32_t tag = 0;              // the hash's high half
    std::uint32_t key_offset = k_empty; // k_empty marks a free entry
    Range cells;
  };
  static constexpr std::uint32_t k_empty = 0xFFFFFFFFU;
  // A key in m_keys: text size (2 bytes, little-endian), slot (2 bytes), kind (1 byte), text.
  static constexpr std::size_t k_key_header = 5;

  [[nodiscard]] bool same_key(const Entry& e, std::uint32_t tag, std::uint16_t slot, Kind kind,
                              std::string_view text) const;
  void grow();

  std::vector<Entry> m_entries;        // size 0 or a power of two
  std::vector<std::uint64_t> m_hashes; // per entry, for growing (not touched by lookups)
  std::string m_keys;
  std::size_t m_size = 0;
};

} // namespace stackprint::scoring
