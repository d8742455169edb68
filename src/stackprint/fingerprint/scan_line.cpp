#include "stackprint/fingerprint/scan_line.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"
#include "stackprint/base/hex.hpp"

namespace stackprint::fingerprint {
namespace {

// Decimal digits only (an optional leading '-' when `allow_negative`), at most 9 digits.
std::optional<long long> parse_decimal(std::string_view s, bool allow_negative = false) {
  if (!allow_negative && !s.empty() && s.front() == '-') return std::nullopt;
  return stackprint::parse_signed_decimal(s, 9, 999'999'999);
}

constexpr std::array<std::string_view, 13> k_fields = {"V",  "E",  "D", "OT", "CT", "CU", "PV",
                                                       "DS", "DC", "G", "M",  "TM", "P"};

std::string port_text(const std::optional<std::uint16_t>& port) { return port ? std::to_string(*port) : std::string(); }

} // namespace

bool is_private_address(std::uint32_t address) {
  return (address >> 24) == 10 || (address >> 20) == 0xAC1 || (address >> 16) == 0xA9FE || (address >> 16) == 0xC0A8;
}

char distance_method_letter(DistanceMethod method) {
  switch (method) {
  case DistanceMethod::localhost: return 'L';
  case DistanceMethod::direct: return 'D';
  case DistanceMethod::icmp: return 'I';
  case DistanceMethod::traceroute: return 'T';
  }
  return '?';
}

TestLine to_test_line(const ScanLine& scan) {
  TestLine t{"SCAN", {}};
  auto add = [&t](std::string name, std::string value) { t.attributes.push_back({std::move(name), std::move(value)}); };
  add("V", scan.version);
  add("E", std::to_string(scan.engine));
  add("D", fmt::format("{}/{}", scan.month, scan.day));
  add("OT", port_text(scan.open_tcp_port));
  add("CT", port_text(scan.closed_tcp_port));
  add("CU", port_text(scan.closed_udp_port));
  add("PV", scan.private_address ? "Y" : "N");
  if (scan.distance) add("DS", std::to_string(*scan.distance));
  if (scan.distance_method) add("DC", std::string(1, distance_method_letter(*scan.distance_method)));
  add("G", scan.good_for_submission ? "Y" : "N");
  if (scan.mac_prefix) add("M", fmt::format("{:06X}", *scan.mac_prefix & 0xFFFFFFu));
  add("TM", fmt::format("{:X}", scan.time));
  add("P", scan.platform);
  return t;
}

Expected<ScanLine> parse_scan_line(const TestLine& line) {
  if (line.name != "SCAN") return fail("SCAN: expected test SCAN, got '" + line.name + "'");
  ScanLine scan;
  std::array<bool, k_fields.size()> seen{};
  for (const Attribute& a : line.attributes) {
    std::size_t index = k_fields.size();
    for (std::size_t i = 0; i < k_fields.size(); ++i) {
      if (k_fields[i] == a.name) index = i;
    }
    if (index == k_fields.size()) return fail("SCAN: unknown field '" + a.name + "'");
    if (seen[index]) return fail("SCAN: field " + a.name + " repeated");
    seen[index] = true;
    const std::string_view v = a.value;
    auto bad = [&a](std::string_view why) { return fail("SCAN." + a.name + ": " + std::string(why)); };
    auto port = [&](std::optional<std::uint16_t>& out) -> Expected<void> {
      if (v.empty()) return {};
      const auto n = parse_decimal(v);
      if (!n || *n > 65535) return bad("expected a decimal port 0..65535 or nothing");
      out = static_cast<std::uint16_t>(*n);
      return {};
    };
    auto yes_no = [&](bool& out) -> Expected<void> {
      if (v != "Y" && v != "N") return bad("expected Y or N");
      out = v == "Y";
      return {};
    };
    Expected<void> ok;
    if (a.name == "V") {
      scan.version = a.value;
    } else if (a.name == "E") {
      const auto n = parse_decimal(v);
      if (!n) return bad("expected a decimal engine id");
      scan.engine = static_cast<unsigned>(*n);
    } else if (a.name == "D") {
      const auto slash = v.find('/');
      const auto m = slash == std::string_view::npos ? std::nullopt : parse_decimal(v.substr(0, slash));
      const auto d = slash == std::string_view::npos ? std::nullopt : parse_decimal(v.substr(slash + 1));
      if (!m || !d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return bad("expected month/day");
      scan.month = static_cast<unsigned>(*m);
      scan.day = static_cast<unsigned>(*d);
    } else if (a.name == "OT") {
      ok = port(scan.open_tcp_port);
    } else if (a.name == "CT") {
      ok = port(scan.closed_tcp_port);
    } else if (a.name == "CU") {
      ok = port(scan.closed_udp_port);
    } else if (a.name == "PV") {
      ok = yes_no(scan.private_address);
    } else if (a.name == "DS") {
      const auto n = parse_decimal(v, true);
      if (!n) return bad("expected a decimal hop distance");
      scan.distance = static_cast<int>(*n);
    } else if (a.name == "DC") {
      if (v == "L")
        scan.distance_method = DistanceMethod::localhost;
      else if (v == "D")
        scan.distance_method = DistanceMethod::direct;
      else if (v == "I")
        scan.distance_method = DistanceMethod::icmp;
      else if (v == "T")
        scan.distance_method = DistanceMethod::traceroute;
      else
        return bad("expected L, D, I or T");
    } else if (a.name == "G") {
      ok = yes_no(scan.good_for_submission);
    } else if (a.name == "M") {
      const auto n = v.size() == 6 ? stackprint::parse_hex(v, 6) : std::nullopt;
      if (!n) return bad("expected 6 hex digits");
      scan.mac_prefix = static_cast<std::uint32_t>(*n);
    } else if (a.name == "TM") {
      const auto n = stackprint::parse_hex(v, 16);
      if (!n) return bad("expected a hex time");
      scan.time = *n;
    } else if (a.name == "P") {
      scan.platform = a.value;
    }
    if (!ok) return tl::unexpected(ok.error());
  }
  for (const std::string_view required : {"V", "E", "D", "OT", "CT", "CU", "PV", "G", "TM", "P"}) {
    for (std::size_t i = 0; i < k_fields.size(); ++i) {
      if (k_fields[i] == required && !seen[i]) return fail("SCAN: missing field " + std::string(required));
    }
  }
  return scan;
}

} // namespace stackprint::fingerprint
