#pragma once
// Live capture with libpcap on one interface: immediate mode (each packet is delivered at once,
// not when a buffer fills), a BPF filter (capture_filter.hpp), nonblocking, and a selectable file
// descriptor so an event loop can wait on capture and a deadline together. Frames are copied out of
// libpcap's ring into owned CapturedFrame values (link layer stripped by io/link_layer.hpp).
//
// Opening needs root or CAP_NET_RAW; reading keeps working after drop_privileges().

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/io/clock.hpp"

struct pcap; // libpcap's pcap_t, kept out of this header

namespace stackprint::io {

struct LiveCaptureOptions {
  // Bytes kept per frame. Every answer to an OS-detection or discovery probe is far shorter (the
  // largest, U1's unreachable, is ~360 bytes), and in immediate mode libpcap gives each ring slot
  // room for a whole snapshot: 65535 left only ~60 slots in the ring, so a burst of unsolicited
  // packets (a flood from a hostile host) overflowed it and honest answers were dropped. Longer
  // packets are cut, and then fail to parse and are counted (they are not answers to our probes).
  int snapshot_length = 2048;
  int buffer_bytes = 4 * 1024 * 1024; // kernel ring size; large scans need room between reads
  bool promiscuous = false;           // replies are addressed to us, so no need
};

// Kernel counters (pcap_stats): frames that passed the filter, and frames lost for lack of buffer.
struct CaptureStats {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;
  std::uint64_t interface_dropped = 0;
};

class LiveCapture {
public:
  // Opens `interface` with `bpf_filter` (libpcap filter syntax). Errors: the missing-privilege
  // message of privileges.hpp, "no such interface", or the filter does not compile (message quotes
  // libpcap's reason and the filter).
  [[nodiscard]] static Expected<LiveCapture> open(const std::string& interface, const std::string& bpf_filter,
                                                  const LiveCaptureOptions& options = {});

  LiveCapture(LiveCapture&&) noexcept;
  LiveCapture& operator=(LiveCapture&&) noexcept;
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;
  ~LiveCapture();

  // Replaces the BPF filter. Needs no privilege, so it works after drop_privileges(): a scan opens
  // the capture once and narrows it to each host group in turn. Frames already captured under the
  // old filter may still be read. Error: the filter does not compile (the old one stays).
  [[nodiscard]] Expected<void> set_filter(const std::string& bpf_filter);

  // A descriptor that polls readable when frames may be ready (then call read_ready()).
  [[nodiscard]] int selectable_fd() const;
  // libpcap's link type (DLT_EN10MB on veth and Ethernet).
  [[nodiscard]] int link_type() const { return m_link_type; }

  // Frames already captured, up to `max_frames`, without waiting. Non-IPv4 frames are skipped and
  // counted in skipped_count(). Error when libpcap reports a read failure (e.g. interface gone).
  [[nodiscard]] Expected<std::vector<CapturedFrame>> read_ready(std::size_t max_frames = 256);

  // Waits until frames arrive or `deadline` (monotonic) passes, then returns what is ready (empty
  // at the deadline). Retries after signals. Waits to the microsecond (capture_wait_time), so the
  // engine's sends are not late by a rounded-up millisecond.
  [[nodiscard]] Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline, std::size_t max_frames = 256);

  [[nodiscard]] Expected<CaptureStats> stats();
  [[nodiscard]] std::uint64_t skipped_count() const { return m_skipped; }

private:
  struct Closer {
    void operator()(pcap* handle) const;
  };
  explicit LiveCapture(std::unique_ptr<pcap, Closer> handle, int link_type);

  std::unique_ptr<pcap, Closer> m_handle;
  int m_link_type = 0;
  std::uint64_t m_skipped = 0;
};

// How long to wait (ppoll) from `now` until `deadline`: exact to the microsecond, 0 when the
// deadline has passed, at most 60 s. A millisecond poll() timeout rounded up made every wake-up
// late by up to 1 ms; the SEQ probes, 100 ms apart, came 100.5-101 ms apart on average (Nmap,
// whose pcap wait is in microseconds: 100.1-100.3 ms), and SP reads the spacing's jitter as ISN
// rate jitter for targets whose ISN grows per connection.
[[nodiscard]] timespec capture_wait_time(MonotonicTime deadline, MonotonicTime now);

} // namespace stackprint::io
