// Replaying recorded scans (stackprint's and Nmap's) of a host behind a default-deny firewall
// (tests/data/partial/README.md): the port scan's SYN to the closed port went unanswered, so the
// silences of the closed-port probes are blamed on the filter, the open port's and IE's are not.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/command.hpp"

namespace {

using stackprint::test_support::run_command;

bool have_db() { return std::filesystem::exists("/usr/share/nmap/nmap-os-db"); }

const std::string k_data = std::string(STACKPRINT_TEST_DATA_DIR) + "/partial/";

std::string replay(const std::string& capture, const std::string& extra = "") {
  return std::string(STACKPRINT_BINARY) + " replay --pcap " + k_data + capture + " --target 10.210.230.1 " + extra;
}

class DefaultDenyReplay : public testing::TestWithParam<const char*> {};

TEST_P(DefaultDenyReplay, ClosedPortSilencesAreFilteredAndTheRestStayRN) {
  const auto printed = run_command(replay(GetParam()));
  ASSERT_EQ(printed.status, 0) << printed.out;
  // The printed fingerprint stays Nmap's: no T5-T7 lines (the closed port was not from the port
  // scan), U1 and IE as R=N.
  EXPECT_NE(printed.out.find("CT=%CU=%"), std::string::npos) << printed.out;
  EXPECT_EQ(printed.out.find("T5("), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("U1(R=N)"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("IE(R=N)"), std::string::npos) << printed.out;
}

TEST_P(DefaultDenyReplay, ReportsSayWhichTestsWereFilteredAndWhy) {
  if (!have_db()) GTEST_SKIP() << "no installed nmap-os-db";

  const auto json = run_command(replay(GetParam(), "-oJ -"));
  ASSERT_EQ(json.status, 0) << json.out;
  const auto host = nlohmann::json::parse(json.out.substr(json.out.find('{')), nullptr, false);
  ASSERT_FALSE(host.is_discarded()) << json.out;
  const auto& missing = host.at("os_detection").at("missing_tests");
  EXPECT_EQ(missing.at("filtered"), (nlohmann::json{"T5", "T6", "T7", "U1"})) << missing.dump();

  const auto normal = run_command(replay(GetParam(), "-oN -"));
  ASSERT_EQ(normal.status, 0) << normal.out;
  EXPECT_NE(normal.out.find("Missing tests (filtered): T5 T6 T7 U1; matched without them (no TCP port but the "
                            "open ones answered the port scan, nor did T5)\n"),
            std::string::npos)
      << normal.out;
  const auto nmap_like = run_command(replay(GetParam(), "-oN - --no-partial-match"));
  EXPECT_NE(nmap_like.out.find("Missing tests (filtered): T5 T6 T7 U1; matched as R=N, as Nmap does"),
            std::string::npos)
      << nmap_like.out;
}

INSTANTIATE_TEST_SUITE_P(BothRecorders, DefaultDenyReplay,
                         testing::Values("default_deny_linux.pcap", "default_deny_linux_nmap.pcap"));

} // namespace
