#pragma once
// Test support: the recorded Nmap 7.93 runs under tests/data/captures/<name>/ and the comparison
// of a fingerprint with the one Nmap printed, shared by the golden tests that replay them.

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint::test_support {

// The number of recorded Nmap runs (folders with capture.pcap, fingerprint.txt, nmap.nmap and
// nmap.xml). Every suite driven by the captures asserts at least this many cases, so a renamed or
// broken capture folder fails instead of silently dropping out. Raise it when adding a capture.
inline constexpr std::size_t k_min_recorded_nmap_runs = 57;

inline std::filesystem::path captures_dir() { return std::filesystem::path(STACKPRINT_TEST_DATA_DIR) / "captures"; }

// Names of the capture folders that hold every one of `files`, sorted.
inline std::vector<std::string> captures_with(std::initializer_list<const char*> files) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(captures_dir())) {
    if (std::all_of(files.begin(), files.end(),
                    [&](const char* f) { return std::filesystem::exists(entry.path() / f); })) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Two hex numbers at most 1 apart (false when either is not hex).
inline bool hex_within_one(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  const long va = std::strtol(a.c_str(), &end_a, 16);
  const long vb = std::strtol(b.c_str(), &end_b, 16);
  return !a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0' && std::labs(va - vb) <= 1;
}

// Fingerprint texts (plain or wrapped) with the same tests and attributes in the same order and the
// same values, apart from print times (SCAN's D and TM) and the values Nmap derives from its own
// send clock: SEQ's SP, ISR and TS may differ by 1.
inline void expect_same_fingerprint(const std::string& ours_text, const std::string& nmap_text,
                                    const std::string& where) {
  const auto ours = fingerprint::parse_fingerprint(ours_text);
  const auto nmap = fingerprint::parse_fingerprint(nmap_text);
  ASSERT_TRUE(ours) << where << ": " << ours.error().message << "\n" << ours_text;
  ASSERT_TRUE(nmap) << where << ": " << nmap.error().message;
  ASSERT_EQ(ours->scan.has_value(), nmap->scan.has_value()) << where;
  if (ours->scan) {
    ASSERT_EQ(ours->scan->attributes.size(), nmap->scan->attributes.size()) << where << "\n" << ours_text;
    for (std::size_t i = 0; i < ours->scan->attributes.size(); ++i) {
      const auto& a = ours->scan->attributes[i];
      const auto& b = nmap->scan->attributes[i];
      EXPECT_EQ(a.name, b.name) << where;
      if (a.name != "D" && a.name != "TM") { EXPECT_EQ(a.value, b.value) << where << " SCAN." << a.name; }
    }
  }
  ASSERT_EQ(ours->tests.size(), nmap->tests.size()) << where << "\n" << ours_text;
  for (std::size_t i = 0; i < ours->tests.size(); ++i) {
    const auto& a = ours->tests[i];
    const auto& b = nmap->tests[i];
    ASSERT_EQ(a.name, b.name) << where << "\n" << ours_text;
    ASSERT_EQ(a.attributes.size(), b.attributes.size()) << where << " " << a.name << "\n" << ours_text;
    for (std::size_t j = 0; j < a.attributes.size(); ++j) {
      const auto& x = a.attributes[j];
      const auto& y = b.attributes[j];
      ASSERT_EQ(x.name, y.name) << where << " " << a.name;
      const bool timing = a.name == "SEQ" && (x.name == "SP" || x.name == "ISR" || x.name == "TS");
      if (timing && x.value != y.value) {
        EXPECT_TRUE(hex_within_one(x.value, y.value))
            << where << " SEQ." << x.name << " " << x.value << " vs Nmap's " << y.value;
      } else {
        EXPECT_EQ(x.value, y.value) << where << " " << a.name << "." << x.name;
      }
    }
  }
}

} // namespace stackprint::test_support
