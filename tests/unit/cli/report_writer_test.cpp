#include "stackprint/cli/report_writer.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

namespace stackprint::cli {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RewriteNmapOutputOptions, NmapSpellingsBecomeLongOptions) {
  using V = std::vector<std::string>;
  EXPECT_EQ(
      rewrite_nmap_output_options(V{"stackprint", "scan", "-oN", "a.txt", "-oXb.xml", "-oJ=-", "-v", "-o"}),
      (V{"stackprint", "scan", "--output-normal", "a.txt", "--output-xml", "b.xml", "--output-json", "-", "-v", "-o"}));
  EXPECT_EQ(rewrite_nmap_output_options(V{"-oG", "x", "--oN", "-p"}), (V{"-oG", "x", "--oN", "-p"}));
}

TEST(ReportWriter, HeadersHostsAndFootersInOrder) {
  const fs::path dir = fs::path(testing::TempDir()) / ("stackprint_writer_" + std::to_string(getpid()));
  fs::create_directories(dir);
  ReportDestinations d;
  d.normal = (dir / "r.nmap").string();
  d.xml = (dir / "r.xml").string();
  d.json = (dir / "r.json").string();
  output::RunInfo run;
  run.program_version = "9.9";
  run.args = "stackprint scan 10.0.0.1";
  run.start_s = 1795755418;
  output::OutputOptions options;
  auto db = database::parse_os_db("MatchPoints\nSEQ(A=1)\n", "t.db");
  ASSERT_TRUE(db) << db.error().message;
  ReportWriter writer;
  ASSERT_TRUE(writer.open(d, run, options));
  output::HostReport host;
  host.address = 0x0A000001;
  host.up = false;
  writer.write_host(*db, host, 1795755419);
  output::RunSummary summary;
  summary.end_s = 1795755420;
  summary.elapsed_s = 2.0;
  summary.hosts_down = 1;
  EXPECT_TRUE(writer.finish(summary));
  EXPECT_EQ(read_file(dir / "r.nmap"),
            "# stackprint 9.9 scan initiated Fri Nov 27 04:56:58 2026 as: stackprint scan 10.0.0.1\n"
            "Nmap scan report for 10.0.0.1\nHost is down.\n\n"
            "# stackprint done at Fri Nov 27 04:57:00 2026 -- 1 IP address (0 hosts up) scanned in 2.00 seconds\n");
  const std::string xml = read_file(dir / "r.xml");
  EXPECT_NE(xml.find("<host starttime=\"0\" endtime=\"0\"><status state=\"down\""), std::string::npos) << xml;
  EXPECT_EQ(xml.substr(xml.size() - 11), "</nmaprun>\n");
  EXPECT_EQ(read_file(dir / "r.json").find("{\"schema_version\":1,\"target\":\"10.0.0.1\",\"state\":\"down\""), 0U);
}

TEST(ReportWriter, UnwritablePathIsAnError) {
  ReportDestinations d;
  d.xml = "/nonexistent-dir/r.xml";
  ReportWriter writer;
  const auto opened = writer.open(d, {}, {});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("cannot write /nonexistent-dir/r.xml"), std::string::npos);
}

} // namespace
} // namespace stackprint::cli
