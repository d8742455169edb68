#include "stackprint/io/live_capture.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <span>

#include <pcap/pcap.h>
#include <poll.h>

#include "stackprint/io/link_layer.hpp"
#include "stackprint/io/privileges.hpp"

namespace stackprint::io {
namespace {

struct DispatchContext {
  int link_type = 0;
  std::vector<CapturedFrame>* frames = nullptr;
  std::uint64_t* skipped = nullptr;
};

void on_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* context = reinterpret_cast<DispatchContext*>(user);
  const Timestamp time(std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec));
  auto frame = frame_from_link_layer(context->link_type, time, std::span<const std::uint8_t>(bytes, header->caplen),
                                     LinkFrames::ipv4_and_arp);
  if (frame) {
    context->frames->push_back(std::move(*frame));
  } else {
    ++*context->skipped;
  }
}

Expected<void> apply_filter(pcap_t* handle, const std::string& bpf_filter) {
  bpf_program program{};
  if (pcap_compile(handle, &program, bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return fail("bad capture filter \"" + bpf_filter + "\": " + pcap_geterr(handle));
  }
  const int filtered = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (filtered != 0) { return fail("cannot set capture filter \"" + bpf_filter + "\": " + pcap_geterr(handle)); }
  return {};
}

} // namespace

Expected<void> LiveCapture::set_filter(const std::string& bpf_filter) {
  return apply_filter(m_handle.get(), bpf_filter);
}

void LiveCapture::Closer::operator()(pcap* handle) const { pcap_close(handle); }

LiveCapture::LiveCapture(std::unique_ptr<pcap, Closer> handle, int link_type)
    : m_handle(std::move(handle)), m_link_type(link_type) {}
LiveCapture::LiveCapture(LiveCapture&&) noexcept = default;
LiveCapture& LiveCapture::operator=(LiveCapture&&) noexcept = default;
LiveCapture::~LiveCapture() = default;

Expected<LiveCapture> LiveCapture::open(const std::string& interface, const std::string& bpf_filter,
                                        const LiveCaptureOptions& options) {
  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  std::unique_ptr<pcap, Closer> handle(pcap_create(interface.c_str(), errbuf.data()));
  if (!handle) { return fail("cannot capture on " + interface + ": " + errbuf.data()); }
  pcap_set_snaplen(handle.get(), options.snapshot_length);
  pcap_set_promisc(handle.get(), options.promiscuous ? 1 : 0);
  pcap_set_immediate_mode(handle.get(), 1);
  pcap_set_buffer_size(handle.get(), options.buffer_bytes);
  const int activated = pcap_activate(handle.get());
  if (activated == PCAP_ERROR_PERM_DENIED) { return fail(k_missing_privilege_message); }
  if (activated == PCAP_ERROR_NO_SUCH_DEVICE) { return fail("cannot capture on " + interface + ": no such interface"); }
  if (activated < 0) { return fail("cannot capture on " + interface + ": " + pcap_geterr(handle.get())); }
  if (auto filtered = apply_filter(handle.get(), bpf_filter); !filtered) { return tl::unexpected(filtered.error()); }
  if (pcap_setnonblock(handle.get(), 1, errbuf.data()) != 0) {
    return fail("cannot make capture nonblocking: " + std::string(errbuf.data()));
  }
  if (pcap_get_selectable_fd(handle.get()) < 0) {
    return fail("capture on " + interface + " has no selectable descriptor");
  }
  const int link_type = pcap_datalink(handle.get());
  return LiveCapture(std::move(handle), link_type);
}

int LiveCapture::selectable_fd() const { return pcap_get_selectable_fd(m_handle.get()); }

Expected<std::vector<CapturedFrame>> LiveCapture::read_ready(std::size_t max_frames) {
  std::vector<CapturedFrame> frames;
  DispatchContext context{m_link_type, &frames, &m_skipped};
  // pcap_dispatch may deliver fewer than asked per call (one ring block); loop until empty.
  while (frames.size() < max_frames) {
    const int want = static_cast<int>(std::min<std::size_t>(max_frames - frames.size(), 1U << 20));
    const int rc = pcap_dispatch(m_handle.get(), want, on_packet, reinterpret_cast<u_char*>(&context));
    if (rc == PCAP_ERROR) { return fail(std::string("capture read failed: ") + pcap_geterr(m_handle.get())); }
    if (rc <= 0) {
      break; // nothing more now (0), or pcap_breakloop (-2), which we never call
    }
  }
  return frames;
}

Expected<std::vector<CapturedFrame>> LiveCapture::wait(MonotonicTime deadline, std::size_t max_frames) {
  while (true) {
    auto frames = read_ready(max_frames);
    if (!frames || !frames->empty()) { return frames; }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) { return frames; }
    pollfd descriptor{selectable_fd(), POLLIN, 0};
    const timespec wait_time = capture_wait_time(deadline, now);
    const int rc = ::ppoll(&descriptor, 1, &wait_time, nullptr);
    if (rc < 0 && errno != EINTR) {
      return fail(std::string("waiting for captured packets failed: ") + std::strerror(errno));
    }
    if (rc > 0 && (descriptor.revents & (POLLERR | POLLNVAL)) != 0) {
      return fail("capture descriptor reported an error (interface gone?)");
    }
  }
}

timespec capture_wait_time(MonotonicTime deadline, MonotonicTime now) {
  if (deadline <= now) { return timespec{0, 0}; }
  const auto remaining = std::min<std::chrono::microseconds>(
      std::chrono::ceil<std::chrono::microseconds>(deadline - now), std::chrono::seconds(60));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(remaining);
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(remaining - seconds);
  return timespec{static_cast<std::time_t>(seconds.count()), static_cast<long>(nanoseconds.count())};
}

Expected<CaptureStats> LiveCapture::stats() {
  pcap_stat raw{};
  if (pcap_stats(m_handle.get(), &raw) != 0) {
    return fail(std::string("cannot read capture statistics: ") + pcap_geterr(m_handle.get()));
  }
  return CaptureStats{raw.ps_recv, raw.ps_drop, raw.ps_ifdrop};
}

} // namespace stackprint::io
