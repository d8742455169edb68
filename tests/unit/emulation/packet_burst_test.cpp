#include "stackprint/emulation/packet_burst.hpp"

#include <deque>

#include <gtest/gtest.h>

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

// A TUN queue and a clock: a read takes 2 us, answering a packet 80 us (as the unoptimised build).
struct FakeTun {
  std::deque<std::vector<std::uint8_t>> queued;
  Timestamp now = Timestamp(std::chrono::seconds(1'700'000'000));
  int reads = 0;
  std::optional<int> fail_at_read;

  Expected<std::optional<std::vector<std::uint8_t>>> read(int /*timeout_ms*/) {
    ++reads;
    if (fail_at_read && reads == *fail_at_read) { return fail("read from tun: gone"); }
    now += 2us;
    if (queued.empty()) { return std::optional<std::vector<std::uint8_t>>{}; }
    auto bytes = std::move(queued.front());
    queued.pop_front();
    return std::optional<std::vector<std::uint8_t>>{std::move(bytes)};
  }
  void answer() { now += 80us; }
};

TEST(ReadBurst, EveryPacketOfABurstIsStampedWhenReadNotAfterTheOthersWereAnswered) {
  FakeTun tun;
  for (std::uint8_t i = 0; i < 20; ++i) { tun.queued.push_back({i}); }
  const auto burst = read_burst([&](int ms) { return tun.read(ms); }, [&] { return tun.now; }, 100, 256);
  ASSERT_TRUE(burst);
  ASSERT_EQ(burst->size(), 20U);
  for (std::size_t i = 0; i < burst->size(); ++i) { tun.answer(); }
  for (std::size_t i = 0; i < burst->size(); ++i) {
    EXPECT_EQ((*burst)[i].bytes, std::vector<std::uint8_t>{static_cast<std::uint8_t>(i)}) << "arrival order kept";
  }
  // The last probe's stamp is 19 reads after the first (38 us), not 19 answers (1.5 ms).
  EXPECT_EQ(burst->back().read_at - burst->front().read_at, 38us);
}

TEST(ReadBurst, StopsAtTheLimitAndWhenNothingIsQueued) {
  FakeTun tun;
  for (std::uint8_t i = 0; i < 5; ++i) { tun.queued.push_back({i}); }
  const auto first = read_burst([&](int ms) { return tun.read(ms); }, [&] { return tun.now; }, 100, 3);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 3U);
  const auto rest = read_burst([&](int ms) { return tun.read(ms); }, [&] { return tun.now; }, 100, 3);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->size(), 2U);
  const auto none = read_burst([&](int ms) { return tun.read(ms); }, [&] { return tun.now; }, 100, 3);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ReadBurst, AReadErrorIsReturned) {
  FakeTun tun;
  tun.queued.push_back({1});
  tun.queued.push_back({2});
  tun.fail_at_read = 2;
  const auto burst = read_burst([&](int ms) { return tun.read(ms); }, [&] { return tun.now; }, 100, 256);
  ASSERT_FALSE(burst);
  EXPECT_NE(burst.error().message.find("gone"), std::string::npos);
}

} // namespace
} // namespace stackprint::emulation
