// Every fingerprint Nmap 7.93 printed in the recorded lab captures (tests/data/captures/*/
// fingerprint.txt) must parse, print back byte for byte in the same layout, and have a valid SCAN
// line. The block after "TCP/IP fingerprint:" in Nmap's normal output must parse to the same value.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "support/captures.hpp"

namespace stackprint::fingerprint {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(CapturedFingerprints, ParseAndPrintBackExactly) {
  const std::filesystem::path root = std::filesystem::path(STACKPRINT_TEST_DATA_DIR) / "captures";
  ASSERT_TRUE(std::filesystem::exists(root)) << root;
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const auto fp_path = entry.path() / "fingerprint.txt";
    if (!std::filesystem::exists(fp_path)) continue;
    SCOPED_TRACE(fp_path.string());
    const std::string text = read_all(fp_path);
    const auto fp = parse_fingerprint(text);
    ASSERT_TRUE(fp) << fp.error().message;
    const bool wrapped = text.starts_with("OS:");
    EXPECT_EQ(wrapped ? format_wrapped(*fp) : format_plain(*fp), text);
    ASSERT_TRUE(fp->scan);
    const auto scan = parse_scan_line(*fp->scan);
    ASSERT_TRUE(scan) << scan.error().message;
    EXPECT_EQ(to_test_line(*scan), *fp->scan);
    EXPECT_EQ(scan->good_for_submission, wrapped); // Nmap wraps only when G=Y

    // The same block inside Nmap's normal output, header line included.
    const std::string normal = read_all(entry.path() / "nmap.nmap");
    const auto header = normal.find("TCP/IP fingerprint:\n");
    if (header != std::string::npos) {
      const auto end = normal.find("\n\n", header);
      const auto block = normal.substr(header, end == std::string::npos ? std::string::npos : end - header + 1);
      const auto from_output = parse_fingerprint(block);
      ASSERT_TRUE(from_output) << from_output.error().message;
      EXPECT_EQ(*from_output, *fp);
    }
    ++checked;
  }
  EXPECT_GE(checked, test_support::k_min_recorded_nmap_runs);
}

} // namespace
} // namespace stackprint::fingerprint
