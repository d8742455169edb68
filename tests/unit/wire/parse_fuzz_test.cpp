// Fuzz-style robustness: every prefix and many random mutations of real packets go through the
// parsers and the serialisers. Run under ASan/UBSan to catch over-reads; the assertions check
// that whatever parses also re-serialises to the same bytes.

#include <random>

#include <gtest/gtest.h>

#include "stackprint/wire/ipv4_packet.hpp"
#include "test_vectors.hpp"

namespace stackprint::wire {
namespace {

// Exercises every parsed view of a packet, returning how many items were seen (so the work is
// not optimised away and the views are really walked).
std::size_t touch_everything(const Ipv4Packet& packet) {
  std::size_t seen = 0;
  if (const auto* tcp = packet.tcp()) {
    auto options = tcp->options();
    seen += options.options.size() + (options.problem ? 1 : 0);
    for (const auto& option : options.options) {
      seen += option.mss_value() ? 1 : 0;
      seen += option.timestamp_value() ? 1 : 0;
      seen += option.window_scale_value() ? 1 : 0;
    }
  }
  if (const auto* icmp = packet.icmp()) {
    auto quoted = icmp->quoted_packet();
    if (quoted) {
      seen += quoted->transport.size() + (quoted->udp ? quoted->udp->payload.size() : 0);
      seen += quoted->source_port().value_or(0) > 0 ? 1 : 0;
    }
  }
  seen += verify_transport_checksum(packet) ? 1 : 0;
  return seen;
}

void check_bytes(std::span<const std::uint8_t> bytes) {
  auto parsed = parse_ipv4(bytes);
  if (!parsed) {
    EXPECT_FALSE(parsed.error().message.empty());
    return;
  }
  (void)touch_everything(*parsed);
  // What parsed re-serialises to exactly the packet's bytes (up to the total length).
  auto again = serialize(*parsed, SerializeOptions::keep_all());
  ASSERT_EQ(again.size(), parsed->ip.total_length);
  EXPECT_TRUE(std::equal(again.begin(), again.end(), bytes.begin()));
  // And computing fields never breaks parseability of a well-formed result.
  auto computed = serialize(*parsed);
  auto reparsed = parse_ipv4(computed);
  if (reparsed) { (void)touch_everything(*reparsed); }
}

TEST(ParseFuzz, EveryPrefixOfEveryVector) {
  for (const auto& vector : testing::all_vectors()) {
    for (std::size_t n = 0; n <= vector.size(); ++n) {
      // Copy into an exact-size buffer so ASan sees any read past the prefix.
      std::vector<std::uint8_t> prefix(vector.begin(), vector.begin() + static_cast<long>(n));
      check_bytes(prefix);
    }
  }
}

TEST(ParseFuzz, RandomMutationsOfEveryVector) {
  std::mt19937 rng(0x5EED);
  std::size_t parsed_count = 0;
  for (const auto& vector : testing::all_vectors()) {
    for (int round = 0; round < 3000; ++round) {
      auto bytes = vector;
      const int flips = 1 + static_cast<int>(rng() % 6);
      for (int i = 0; i < flips; ++i) {
        // Bias mutations to the headers, where the lengths live.
        const std::size_t limit = std::min<std::size_t>(bytes.size(), rng() % 2 ? 64 : bytes.size());
        bytes[rng() % limit] = static_cast<std::uint8_t>(rng());
      }
      if (rng() % 4 == 0) { bytes.resize(rng() % (bytes.size() + 1)); }
      std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
      check_bytes(exact);
      parsed_count += parse_ipv4(exact) ? 1 : 0;
    }
  }
  // Sanity: the mutations are not all rejected (the test would then exercise little).
  EXPECT_GT(parsed_count, 1000U);
}

} // namespace
} // namespace stackprint::wire
