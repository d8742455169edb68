#include <string>

#include <gtest/gtest.h>

#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/progress.hpp"
#include "stackprint/output/services.hpp"
#include "stackprint/output/time_text.hpp"

namespace stackprint::output {
namespace {

TEST(TimeText, CtimeLikeNmap) {
  const TimeZone utc;
  EXPECT_EQ(ctime_text(0, utc), "Thu Jan  1 00:00:00 1970");
  EXPECT_EQ(ctime_text(1795755418, utc), "Fri Nov 27 04:56:58 2026");
  EXPECT_EQ(ctime_text(1709164800, utc), "Thu Feb 29 00:00:00 2024"); // leap day
  EXPECT_EQ(ctime_text(-1, utc), "Wed Dec 31 23:59:59 1969");
  EXPECT_EQ(ctime_text(1795755418, TimeZone{-5 * 3600, "EST"}), "Thu Nov 26 23:56:58 2026");
}

TEST(TimeText, ScannedAtAndStarting) {
  EXPECT_EQ(scanned_at_text(1795755418, TimeZone{}), "2026-11-27 04:56:58 UTC");
  EXPECT_EQ(starting_at_text(1795755418, TimeZone{3600, "CET"}), "2026-11-27 05:56 CET");
  EXPECT_EQ(duration_hms(0), "0:00:00");
  EXPECT_EQ(duration_hms(3723), "1:02:03");
  EXPECT_EQ(duration_hms(-5), "0:00:00");
}

TEST(TwoSignificantDigits, NmapLatencyText) {
  EXPECT_EQ(two_significant_digits(0.000079), "0.000079");
  EXPECT_EQ(two_significant_digits(0.0123), "0.012");
  EXPECT_EQ(two_significant_digits(1.5), "1.5");
  EXPECT_EQ(two_significant_digits(0.0), "0");
}

TEST(Progress, RateEtaAndLines) {
  Progress p{0, 256, 3, 0.0};
  EXPECT_FALSE(progress_rate(p));
  EXPECT_FALSE(progress_eta_s(p));
  EXPECT_EQ(progress_status_line(p), "0/256 hosts done (0.0%), 3 active, - hosts/s, ETA ?");
  p = Progress{12, 256, 3, 6.0};
  ASSERT_TRUE(progress_rate(p));
  EXPECT_DOUBLE_EQ(*progress_rate(p), 2.0);
  EXPECT_DOUBLE_EQ(*progress_eta_s(p), 122.0);
  EXPECT_EQ(progress_status_line(p), "12/256 hosts done (4.7%), 3 active, 2.0 hosts/s, ETA 0:02:02");
  EXPECT_EQ(progress_stats_line(p),
            "Stats: 0:00:06 elapsed; 12/256 hosts done (4.7%); 3 active; 2.0 hosts/s; ETA 0:02:02");
  EXPECT_EQ(progress_redraw(p), "\r12/256 hosts done (4.7%), 3 active, 2.0 hosts/s, ETA 0:02:02\x1b[K");
  p = Progress{5, 0, 1, 10.0};
  EXPECT_EQ(progress_status_line(p), "5 hosts done, 1 active, 0.5 hosts/s, ETA ?");
  p = Progress{10, 10, 0, 4.0};
  EXPECT_DOUBLE_EQ(*progress_eta_s(p), 0.0);
}

TEST(Progress, NmapTimeSyntax) {
  EXPECT_DOUBLE_EQ(*parse_nmap_time_s("10"), 10.0);
  EXPECT_DOUBLE_EQ(*parse_nmap_time_s("10s"), 10.0);
  EXPECT_DOUBLE_EQ(*parse_nmap_time_s("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_nmap_time_s("2m"), 120.0);
  EXPECT_DOUBLE_EQ(*parse_nmap_time_s("1.5h"), 5400.0);
  for (const char* bad : {"", "s", "-1", "0", "1x", "1.2.3", "ms", "1 s"}) {
    EXPECT_FALSE(parse_nmap_time_s(bad)) << bad;
  }
}

TEST(ServiceNames, ParsesNmapServices) {
  const auto names = ServiceNames::parse(
      "# comment\nssh\t22/tcp\t0.182286\t# Secure Shell Login\nhttp\t80/tcp\t0.484143\n"
      "domain\t53/udp\t0.213496\nbroken line\nsctpthing\t9/sctp\t0.1\nbad\t70000/tcp\t0.1\nssh2\t22/tcp\t0.1\n");
  EXPECT_EQ(names.lookup(Protocol::tcp, 22), "ssh");
  EXPECT_EQ(names.lookup(Protocol::tcp, 80), "http");
  EXPECT_EQ(names.lookup(Protocol::udp, 53), "domain");
  EXPECT_EQ(names.lookup(Protocol::udp, 22), "");
  EXPECT_EQ(names.size(), 3U);
}

} // namespace
} // namespace stackprint::output
