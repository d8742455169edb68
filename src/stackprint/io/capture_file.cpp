#include "stackprint/io/capture_file.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include <pcap/pcap.h>

#include "stackprint/io/link_layer.hpp"

namespace stackprint::io {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

} // namespace

Expected<CaptureContents> read_capture_file(const std::filesystem::path& path) {
  std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
  std::unique_ptr<pcap_t, PcapCloser> handle(pcap_open_offline(path.c_str(), errbuf.data()));
  if (!handle) {
    return fail(path.string() + ": not a readable pcap or pcapng capture (" + errbuf.data() + ")");
  }
  const int link_type = pcap_datalink(handle.get());
  CaptureContents contents;
  pcap_pkthdr* header = nullptr;
  const std::uint8_t* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    auto frame = frame_from_link_layer(
        link_type,
        Timestamp(std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec)),
        std::span<const std::uint8_t>(data, header->caplen));
    if (!frame) {
      ++contents.skipped;
      continue;
    }
    contents.frames.push_back(std::move(*frame));
  }
  if (rc == PCAP_ERROR) {
    return fail(path.string() + ": damaged capture: " + pcap_geterr(handle.get()));
  }
  return contents;
}

} // namespace stackprint::io
