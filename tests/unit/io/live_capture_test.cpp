#include "stackprint/io/live_capture.hpp"

#include <gtest/gtest.h>

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;

TEST(CaptureWaitTime, IsExactToTheMicrosecond) {
  const MonotonicTime now = MonotonicTime{} + 100s;
  // A wake-up due in 300 us must not become a 1 ms wait (SEQ probes came ~0.5 ms late on average).
  const timespec t = capture_wait_time(now + 300us, now);
  EXPECT_EQ(t.tv_sec, 0);
  EXPECT_EQ(t.tv_nsec, 300'000);
  const timespec u = capture_wait_time(now + 2s + 1500us, now);
  EXPECT_EQ(u.tv_sec, 2);
  EXPECT_EQ(u.tv_nsec, 1'500'000);
}

TEST(CaptureWaitTime, IsZeroPastTheDeadlineAndAtMostAMinute) {
  const MonotonicTime now = MonotonicTime{} + 100s;
  const timespec past = capture_wait_time(now - 5ms, now);
  EXPECT_EQ(past.tv_sec, 0);
  EXPECT_EQ(past.tv_nsec, 0);
  const timespec far = capture_wait_time(now + 3h, now);
  EXPECT_EQ(far.tv_sec, 60);
  EXPECT_EQ(far.tv_nsec, 0);
  // A sub-microsecond remainder rounds up, so the wait never ends just before the deadline.
  const timespec tiny = capture_wait_time(now + 1ns, now);
  EXPECT_EQ(tiny.tv_nsec, 1'000);
}

} // namespace
} // namespace stackprint::io
