#pragma once
// The subject fingerprint as data: an ordered list of tests, each an ordered list of attributes.
// Names and values keep Nmap's spelling (`SEQ`, `GCD`, `M5B4NW8`) so a fingerprint can be compared
// with nmap-os-db and with Nmap's printed output without translation.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackprint::fingerprint {

// One `name=value` pair inside a test line. The value is already formatted as Nmap prints it
// (uppercase hex without leading zeros, letters, or empty).
struct Attribute {
  std::string name;
  std::string value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

// One test line, e.g. `T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS%RD=0%Q=)`. Attribute order is Nmap's
// generation order, which is also the print order.
struct TestLine {
  std::string name;
  std::vector<Attribute> attributes;

  // The value of attribute `attribute`, or nullptr when the test does not have it.
  [[nodiscard]] const std::string* find(std::string_view attribute) const;
  friend bool operator==(const TestLine&, const TestLine&) = default;
};

// A subject fingerprint: the optional SCAN pseudo-test (kept as a plain TestLine named "SCAN") and the
// response tests in Nmap's fixed order SEQ, OPS, WIN, ECN, T1..T7, U1, IE.
struct Fingerprint {
  std::optional<TestLine> scan;
  std::vector<TestLine> tests;

  // The test named `name`, or nullptr.
  [[nodiscard]] const TestLine* find(std::string_view name) const;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

} // namespace stackprint::fingerprint
