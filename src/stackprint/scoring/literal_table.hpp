#pragma once
// A flat hash table from (slot, kind, text) to a range of cell ids: the Matcher's index of the
// database's plain literal alternatives (`Y`, `M5B4ST11`, `A|AS`), looked up once per subject value
// (and once per distinct prefix length for Nmap 7.93's prefix-compared alternatives).
//
// Why not std::unordered_map<std::string_view, ...> per slot: a lookup there hashes the whole key
// with a byte-wise hash, takes a modulo by a prime and chases a node pointer; with ~100 subject values
// per match those lookups were a tenth of a match. Here the entries are one contiguous array (open
// addressing, linear probing, power-of-two size, load at most 1/2), the key text lives in one string,
// and the hash reads 8 bytes at a time.
//
// Texts are copied in, so the table does not depend on the database's storage. Not thread-safe for
// concurrent insert; find() is const and may be called concurrently.

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

  // Adds or replaces the range of (slot, kind, text). Texts longer than 65535 bytes are not stored
  // (no subject value is that long: find() then never matches them, which is what an absent key does).
  void insert(std::uint16_t slot, Kind kind, std::string_view text, Range cells);

  // The range stored for (slot, kind, text), or an empty range.
  [[nodiscard]] Range find(std::uint16_t slot, Kind kind, std::string_view text) const;

  [[nodiscard]] std::size_t size() const { return m_size; }

private:
  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t text_offset = k_empty; // k_empty marks a free entry
    std::uint16_t text_size = 0;
    std::uint16_t slot = 0;
    Kind kind = Kind::exact;
    Range cells;
  };
  static constexpr std::uint32_t k_empty = 0xFFFFFFFFU;

  [[nodiscard]] static std::uint64_t hash(std::uint16_t slot, Kind kind, std::string_view text);
  [[nodiscard]] bool same_key(const Entry& e, std::uint64_t h, std::uint16_t slot, Kind kind,
                              std::string_view text) const;
  void grow();

  std::vector<Entry> m_entries; // size 0 or a power of two
  std::string m_text;           // the keys' texts, back to back
  std::size_t m_size = 0;
};

} // namespace stackprint::scoring
