#include "stackprint/emulation/fair_inbox.hpp"

#include <map>

#include <gtest/gtest.h>

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp k_t0 = Timestamp(std::chrono::seconds(1'700'000'000));

// A 20-byte IPv4 header to `destination` whose last byte of the source (offset 15) numbers it.
StampedPacket packet_to(std::uint32_t destination, std::uint8_t number) {
  std::vector<std::uint8_t> bytes(20, 0);
  bytes[0] = 0x45;
  bytes[15] = number;
  bytes[16] = static_cast<std::uint8_t>(destination >> 24U);
  bytes[17] = static_cast<std::uint8_t>(destination >> 16U);
  bytes[18] = static_cast<std::uint8_t>(destination >> 8U);
  bytes[19] = static_cast<std::uint8_t>(destination);
  return StampedPacket{k_t0, std::move(bytes)};
}

constexpr std::uint32_t k_flooded = 0x0AD30001;  // 10.211.0.1
constexpr std::uint32_t k_probed_a = 0x0AD30002; // 10.211.0.2
constexpr std::uint32_t k_probed_b = 0x0AD30003; // 10.211.0.3

TEST(FairInbox, DestinationIsReadFromTheIpv4Header) {
  EXPECT_EQ(destination_of(packet_to(k_flooded, 0).bytes), k_flooded);
  EXPECT_EQ(destination_of(std::vector<std::uint8_t>(19, 0xFF)), 0U) << "too short: the shared queue 0";
}

TEST(FairInbox, AFloodAtOneAddressFillsOnlyItsOwnQueue) {
  FairInbox inbox(FairInboxLimits{64, 4096});
  for (int i = 0; i < 10'000; ++i) { inbox.push(packet_to(k_flooded, static_cast<std::uint8_t>(i))); }
  EXPECT_EQ(inbox.size(), 64U);
  EXPECT_EQ(inbox.stats().dropped, 10'000U - 64U);
  EXPECT_TRUE(inbox.push(packet_to(k_probed_a, 1))) << "another address still gets in";
  EXPECT_TRUE(inbox.push(packet_to(k_probed_b, 1)));
  EXPECT_EQ(inbox.stats().peak, 66U);
}

TEST(FairInbox, ServesDestinationsRoundRobinSoAProbeWaitsBehindOnePacketPerBusyAddress) {
  FairInbox inbox(FairInboxLimits{64, 4096});
  for (int i = 0; i < 64; ++i) { inbox.push(packet_to(k_flooded, static_cast<std::uint8_t>(i))); }
  inbox.push(packet_to(k_probed_a, 100));
  inbox.push(packet_to(k_probed_a, 101));
  inbox.push(packet_to(k_probed_b, 200));
  std::vector<std::uint32_t> order;
  for (int i = 0; i < 6; ++i) {
    const auto next = inbox.pop();
    ASSERT_TRUE(next);
    order.push_back(destination_of(next->bytes));
  }
  EXPECT_EQ(order, (std::vector<std::uint32_t>{k_flooded, k_probed_a, k_probed_b, k_flooded, k_probed_a, k_flooded}));
}

TEST(FairInbox, KeepsArrivalOrderPerDestinationAndEmptiesCompletely) {
  FairInbox inbox(FairInboxLimits{8, 64});
  for (std::uint8_t i = 0; i < 5; ++i) {
    inbox.push(packet_to(k_probed_a, i));
    inbox.push(packet_to(k_probed_b, static_cast<std::uint8_t>(50 + i)));
  }
  std::map<std::uint32_t, std::vector<std::uint8_t>> seen;
  while (const auto next = inbox.pop()) { seen[destination_of(next->bytes)].push_back(next->bytes[15]); }
  EXPECT_EQ(seen[k_probed_a], (std::vector<std::uint8_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(seen[k_probed_b], (std::vector<std::uint8_t>{50, 51, 52, 53, 54}));
  EXPECT_TRUE(inbox.empty());
  EXPECT_FALSE(inbox.pop());
  EXPECT_EQ(inbox.room(), 64U);
}

TEST(FairInbox, TheTotalBoundsManyFloodedAddresses) {
  FairInbox inbox(FairInboxLimits{64, 4096});
  for (std::uint32_t host = 0; host < 1000; ++host) {
    for (int i = 0; i < 64; ++i) { inbox.push(packet_to(0x0AD30000U + host, static_cast<std::uint8_t>(i))); }
  }
  EXPECT_EQ(inbox.size(), 4096U);
  EXPECT_EQ(inbox.stats().peak, 4096U);
  EXPECT_EQ(inbox.stats().dropped, 64'000U - 4096U);
  EXPECT_EQ(inbox.room(), 0U);
}

TEST(ReplyQueue, SendsInDueOrderFifoAmongEqualTimes) {
  ReplyQueue queue(16);
  queue.push(k_t0 + 2ms, {2});
  queue.push(k_t0 + 1ms, {1});
  queue.push(k_t0 + 1ms, {11});
  EXPECT_EQ(queue.next_due(), k_t0 + 1ms);
  EXPECT_EQ(queue.due(k_t0), nullptr) << "nothing is due yet";
  std::vector<std::uint8_t> sent;
  while (const auto* bytes = queue.due(k_t0 + 5ms)) {
    sent.push_back(bytes->front());
    queue.pop();
  }
  EXPECT_EQ(sent, (std::vector<std::uint8_t>{1, 11, 2}));
  EXPECT_FALSE(queue.next_due());
}

TEST(ReplyQueue, DropsAndCountsRepliesBeyondItsLimit) {
  ReplyQueue queue(100);
  for (int i = 0; i < 250; ++i) { queue.push(k_t0 + std::chrono::seconds(6), std::vector<std::uint8_t>(60, 0)); }
  EXPECT_EQ(queue.size(), 100U);
  EXPECT_EQ(queue.dropped(), 150U);
  queue.pop();
  EXPECT_TRUE(queue.push(k_t0, {1})) << "room again once one was sent";
}

} // namespace
} // namespace stackprint::emulation
