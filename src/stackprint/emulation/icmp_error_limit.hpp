#pragma once
// Per-destination ICMP error rate limiting of an emulated host, as the Linux kernel does it by
// default (docs/emulator-timing.md "ICMP error rate limit"): each destination has a bucket of
// time credit, full (`burst` errors) at first contact, refilled by the time that passes and
// capped at `burst` intervals; an error costs one `interval`, and is not sent when the bucket
// holds less. Only error types are limited (destination unreachable, source quench, time
// exceeded, parameter problem), never echo replies.
//
// Pure and told the time. Bounded: at most `max_destinations` buckets, the oldest forgotten first
// (a forgotten destination starts full again, as when the kernel drops its peer entry).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "stackprint/base/frame.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

struct IcmpErrorLimit {
  std::chrono::microseconds interval{1'000'000}; // one error per interval on average
  int burst = 6;                                 // errors a fresh (or rested) destination may get at once
};

struct IcmpErrorLimitStats {
  std::uint64_t allowed = 0;
  std::uint64_t limited = 0;
  std::uint64_t forgotten = 0; // buckets dropped to stay within max_destinations
};

// Whether `packet` is an ICMP message of a rate-limited (error) type.
[[nodiscard]] bool is_limited_icmp_error(const wire::Ipv4Packet& packet);

class IcmpErrorLimiter {
public:
  static constexpr std::size_t k_default_max_destinations = 1024;

  explicit IcmpErrorLimiter(IcmpErrorLimit limit = {}, std::size_t max_destinations = k_default_max_destinations);

  // Whether an ICMP error to `destination` may be sent at `now` (takes the credit when it may).
  [[nodiscard]] bool allow(std::uint32_t destination, Timestamp now);

  [[nodiscard]] const IcmpErrorLimitStats& stats() const { return m_stats; }
  [[nodiscard]] std::size_t destinations() const { return m_buckets.size(); }

private:
  struct Bucket {
    std::chrono::microseconds credit{};
    Timestamp last{};
  };

  IcmpErrorLimit m_limit;
  std::size_t m_max_destinations;
  std::unordered_map<std::uint32_t, Bucket> m_buckets;
  std::deque<std::uint32_t> m_order; // first contact order, oldest first
  IcmpErrorLimitStats m_stats;
};

} // namespace stackprint::emulation
