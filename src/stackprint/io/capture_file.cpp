#include "stackprint/io/capture_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <pcap/pcap.h>

#include "stackprint/io/link_layer.hpp"

namespace stackprint::io {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

// True for a capture timestamp we can use: seconds in [0, 2^40) (about 34,800 years after 1970)
// and a microsecond field in [0, 2^33) (pcap stores it as an unchecked 32-bit value). Then the
// microsecond count, and the difference or sum of two of them, fit a 64-bit Timestamp with room.
bool timestamp_fits(const timeval& ts) {
  constexpr std::int64_t k_max_seconds = std::int64_t{1} << 40;
  constexpr std::int64_t k_max_micros = std::int64_t{1} << 33;
  const std::int64_t seconds = ts.tv_sec;
  const std::int64_t micros = ts.tv_usec;
  return seconds >= 0 && seconds < k_max_seconds && micros >= 0 && micros < k_max_micros;
}

} // namespace

void OpenCapture::Closer::operator()(std::FILE* f) const {
  if (f != nullptr) (void)std::fclose(f);
}

Expected<OpenCapture> open_capture_file(const std::filesystem::path& path) {
  OpenCapture capture{path, std::unique_ptr<std::FILE, OpenCapture::Closer>(std::fopen(path.c_str(), "rb"))};
  if (!capture.file) {
    return fail(path.string() + ": not a readable pcap or pcapng capture (" + path.string() + ": " +
                std::strerror(errno) + ")");
  }
  return capture;
}

Expected<CaptureContents> read_capture_file(const std::filesystem::path& path) {
  auto capture = open_capture_file(path);
  if (!capture) return tl::unexpected(capture.error());
  return read_capture_file(std::move(*capture));
}

Expected<CaptureContents> read_capture_file(OpenCapture capture) {
  const std::filesystem::path& path = capture.path;
  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  // libpcap owns the FILE from here on (pcap_close closes it); on failure it is still ours.
  std::unique_ptr<pcap_t, PcapCloser> handle(pcap_fopen_offline(capture.file.get(), errbuf.data()));
  if (!handle) { return fail(path.string() + ": not a readable pcap or pcapng capture (" + errbuf.data() + ")"); }
  (void)capture.file.release();
  const int link_type = pcap_datalink(handle.get());
  CaptureContents contents;
  pcap_pkthdr* header = nullptr;
  const std::uint8_t* data = nullptr;
  int rc = 0;
  std::uint64_t record = 0;
  while ((rc = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    ++record;
    // pcapng carries 64-bit timestamps in any unit, so a damaged or hostile file can hold seconds
    // whose microsecond count overflows a 64-bit Timestamp (found by fuzzing, tests/fuzz).
    if (!timestamp_fits(header->ts)) {
      return fail(path.string() + ": damaged capture: record " + std::to_string(record) +
                  " has a timestamp out of range");
    }
    auto frame = frame_from_link_layer(
        link_type, Timestamp(std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec)),
        std::span<const std::uint8_t>(data, header->caplen));
    if (!frame) {
      ++contents.skipped;
      continue;
    }
    contents.frames.push_back(std::move(*frame));
  }
  if (rc == PCAP_ERROR) { return fail(path.string() + ": damaged capture: " + pcap_geterr(handle.get())); }
  return contents;
}

} // namespace stackprint::io
