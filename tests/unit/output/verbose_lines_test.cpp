#include "stackprint/output/verbose_lines.hpp"

#include <gtest/gtest.h>

namespace stackprint::output {
namespace {

TEST(VerboseLines, TryAnnouncementsInNmapWording) {
  EXPECT_EQ(os_detection_try_line(1, 1, "10.99.190.2"), "Initiating OS detection (try #1) against 10.99.190.2");
  EXPECT_EQ(os_detection_try_line(2, 1, "10.99.190.2"), "Retrying OS detection (try #2) against 10.99.190.2");
  EXPECT_EQ(os_detection_try_line(1, 7, "10.0.0.1"), "Initiating OS detection (try #1) against 7 hosts");
  EXPECT_EQ(os_detection_try_line(5, 2, "10.0.0.1"), "Retrying OS detection (try #5) against 2 hosts");
}

TEST(VerboseLines, DataFiles) {
  EXPECT_EQ(data_files_line("/usr/share/nmap"), "Read data files from: /usr/share/nmap");
  EXPECT_EQ(data_files_directory("/usr/share/nmap/nmap-os-db"), "/usr/share/nmap");
  EXPECT_EQ(data_files_directory("nmap-os-db"), ".");
  EXPECT_EQ(data_files_directory("db/os"), "db");
}

TEST(VerboseLines, ByteCountsInDecimalUnits) {
  EXPECT_EQ(nmap_byte_count(0), "0B");
  EXPECT_EQ(nmap_byte_count(28), "28B");
  EXPECT_EQ(nmap_byte_count(999), "999B");
  EXPECT_EQ(nmap_byte_count(1000), "1.000KB");
  // A recorded Nmap 7.93 run: 24 IP packets of 1,866 bytes and one 28-byte ARP request.
  EXPECT_EQ(nmap_byte_count(1894), "1.894KB");
  EXPECT_EQ(nmap_byte_count(9006), "9.006KB");
  EXPECT_EQ(nmap_byte_count(999999), "999.999KB");
  EXPECT_EQ(nmap_byte_count(1000000), "1.000MB");
  EXPECT_EQ(nmap_byte_count(2500000), "2.500MB");
}

TEST(VerboseLines, RawPacketTotals) {
  RawPacketTotals totals;
  totals.packets_sent = 25;
  totals.bytes_sent = 1894;
  totals.packets_received = 17;
  totals.bytes_received = 1362;
  EXPECT_EQ(raw_packets_line(totals), "           Raw packets sent: 25 (1.894KB) | Rcvd: 17 (1.362KB)");
  EXPECT_EQ(raw_packets_line({}), "           Raw packets sent: 0 (0B) | Rcvd: 0 (0B)");
}

TEST(VerboseLines, DebugImpliesVerbosityAndReasons) {
  EXPECT_EQ(effective_verbosity(0, 0), 0);
  EXPECT_EQ(effective_verbosity(1, 0), 1);
  EXPECT_EQ(effective_verbosity(0, 1), 1);
  EXPECT_EQ(effective_verbosity(2, 2), 4);
  EXPECT_EQ(effective_verbosity(-1, 0), 0);
  OutputOptions options;
  EXPECT_FALSE(shows_reasons(options));
  options.verbosity = 1;
  EXPECT_FALSE(shows_reasons(options));
  options.verbosity = 2;
  EXPECT_TRUE(shows_reasons(options));
  options.verbosity = 1;
  options.debugging = 1;
  EXPECT_TRUE(shows_reasons(options));
}

} // namespace
} // namespace stackprint::output
