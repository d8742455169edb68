#include "stackprint/fingerprint/scan_line.hpp"

#include <random>

#include <gtest/gtest.h>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint::fingerprint {
namespace {

TEST(ScanLine, ReadsAndWritesAppendixAScanLine) {
  const auto fp =
      parse_fingerprint("SCAN(V=7.93%E=4%D=11/"
                        "27%OT=8080%CT=22%CU=32392%PV=Y%DS=1%DC=D%G=Y%M=BADD3E%TM=6B0908F3%P=x86_64-pc-linux-gnu)\n");
  ASSERT_TRUE(fp) << fp.error().message;
  const auto scan = parse_scan_line(*fp->scan);
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->version, "7.93");
  EXPECT_EQ(scan->engine, 4u);
  EXPECT_EQ(scan->month, 11u);
  EXPECT_EQ(scan->day, 27u);
  EXPECT_EQ(scan->open_tcp_port, 8080);
  EXPECT_EQ(scan->closed_tcp_port, 22);
  EXPECT_EQ(scan->closed_udp_port, 32392);
  EXPECT_TRUE(scan->private_address);
  EXPECT_EQ(scan->distance, 1);
  EXPECT_EQ(scan->distance_method, DistanceMethod::direct);
  EXPECT_TRUE(scan->good_for_submission);
  EXPECT_EQ(scan->mac_prefix, 0xBADD3Eu);
  EXPECT_EQ(scan->time, 0x6B0908F3u);
  EXPECT_EQ(scan->platform, "x86_64-pc-linux-gnu");
  EXPECT_EQ(to_test_line(*scan), *fp->scan);
}

TEST(ScanLine, OptionalFieldsAreLeftOutAndUnknownPortsAreEmpty) {
  ScanLine s;
  s.month = 1;
  s.day = 5;
  s.time = 0xA;
  s.mac_prefix = 0x00000C;
  const TestLine line = to_test_line(s);
  EXPECT_EQ(format_test_line(line), "SCAN(V=7.93%E=4%D=1/5%OT=%CT=%CU=%PV=N%G=N%M=00000C%TM=A%P=x86_64-pc-linux-gnu)");
  s.mac_prefix.reset();
  s.distance = 0;
  s.distance_method = DistanceMethod::localhost;
  EXPECT_EQ(format_test_line(to_test_line(s)),
            "SCAN(V=7.93%E=4%D=1/5%OT=%CT=%CU=%PV=N%DS=0%DC=L%G=N%TM=A%P=x86_64-pc-linux-gnu)");
  const auto back = parse_scan_line(to_test_line(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, s);
}

TEST(ScanLine, RoundTripsRandomValues) {
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    ScanLine s;
    auto coin = [&] { return std::uniform_int_distribution<int>(0, 1)(rng) == 1; };
    auto port = [&]() -> std::optional<std::uint16_t> {
      if (coin()) return std::nullopt;
      return static_cast<std::uint16_t>(std::uniform_int_distribution<int>(0, 65535)(rng));
    };
    s.month = static_cast<unsigned>(std::uniform_int_distribution<int>(1, 12)(rng));
    s.day = static_cast<unsigned>(std::uniform_int_distribution<int>(1, 31)(rng));
    s.open_tcp_port = port();
    s.closed_tcp_port = port();
    s.closed_udp_port = port();
    s.private_address = coin();
    if (coin()) s.distance = std::uniform_int_distribution<int>(-300, 300)(rng);
    if (coin()) s.distance_method = static_cast<DistanceMethod>(std::uniform_int_distribution<int>(0, 3)(rng));
    s.good_for_submission = coin();
    if (coin()) s.mac_prefix = std::uniform_int_distribution<std::uint32_t>(0, 0xFFFFFF)(rng);
    s.time = std::uniform_int_distribution<std::uint64_t>(0, ~std::uint64_t{0})(rng);
    const auto text = format_wrapped(Fingerprint{to_test_line(s), {}});
    const auto fp = parse_fingerprint(text);
    ASSERT_TRUE(fp) << fp.error().message;
    const auto back = parse_scan_line(*fp->scan);
    ASSERT_TRUE(back) << back.error().message << " " << text;
    EXPECT_EQ(*back, s) << text;
  }
}

TEST(ScanLine, RejectsBadFields) {
  const auto base = to_test_line(ScanLine{});
  auto with = [&](std::string_view name, std::string value) {
    TestLine t = base;
    for (auto& a : t.attributes) {
      if (a.name == name) a.value = value;
    }
    return parse_scan_line(t);
  };
  EXPECT_EQ(with("OT", "65536").error().message, "SCAN.OT: expected a decimal port 0..65535 or nothing");
  EXPECT_EQ(with("CU", "x").error().message, "SCAN.CU: expected a decimal port 0..65535 or nothing");
  EXPECT_EQ(with("D", "13/1").error().message, "SCAN.D: expected month/day");
  EXPECT_EQ(with("D", "11").error().message, "SCAN.D: expected month/day");
  EXPECT_EQ(with("PV", "y").error().message, "SCAN.PV: expected Y or N");
  EXPECT_EQ(with("TM", "").error().message, "SCAN.TM: expected a hex time");
  EXPECT_EQ(with("TM", "12345678901234567").error().message, "SCAN.TM: expected a hex time");
  TestLine missing = base;
  missing.attributes.erase(missing.attributes.begin() + 1);
  EXPECT_EQ(parse_scan_line(missing).error().message, "SCAN: missing field E");
  TestLine extra = base;
  extra.attributes.push_back({"ZZ", "1"});
  EXPECT_EQ(parse_scan_line(extra).error().message, "SCAN: unknown field 'ZZ'");
  TestLine twice = base;
  twice.attributes.push_back({"V", "1"});
  EXPECT_EQ(parse_scan_line(twice).error().message, "SCAN: field V repeated");
  TestLine m = base;
  m.attributes.push_back({"M", "BADD3"});
  EXPECT_EQ(parse_scan_line(m).error().message, "SCAN.M: expected 6 hex digits");
  TestLine dc = base;
  dc.attributes.push_back({"DC", "X"});
  EXPECT_EQ(parse_scan_line(dc).error().message, "SCAN.DC: expected L, D, I or T");
  EXPECT_FALSE(parse_scan_line(TestLine{"SEQ", {}}));
}

} // namespace
} // namespace stackprint::fingerprint

namespace stackprint::fingerprint {
namespace {

TEST(ScanLine, PrivateAddresses) {
  EXPECT_TRUE(is_private_address(0x0A000001));  // 10.0.0.1
  EXPECT_TRUE(is_private_address(0x0A63640A));  // 10.99.100.10
  EXPECT_TRUE(is_private_address(0xAC100001));  // 172.16.0.1
  EXPECT_TRUE(is_private_address(0xAC1FFFFF));  // 172.31.255.255
  EXPECT_FALSE(is_private_address(0xAC200001)); // 172.32.0.1
  EXPECT_FALSE(is_private_address(0xAC0FFFFF)); // 172.15.255.255
  EXPECT_TRUE(is_private_address(0xA9FE0101));  // 169.254.1.1
  EXPECT_TRUE(is_private_address(0xC0A80001));  // 192.168.0.1
  EXPECT_FALSE(is_private_address(0xC0A90001)); // 192.169.0.1
  EXPECT_FALSE(is_private_address(0x7F000001)); // 127.0.0.1 counts as N
  EXPECT_FALSE(is_private_address(0x08080808)); // 8.8.8.8
  EXPECT_FALSE(is_private_address(0x0B000001)); // 11.0.0.1
}

} // namespace
} // namespace stackprint::fingerprint
