#include "stackprint/io/capture_file.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include <pcap/pcap.h>

namespace stackprint::io {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

// Bytes of link-layer header before the IPv4 header, or -1 when this frame is not IPv4.
long link_header_length(int link_type, const std::uint8_t* data, std::uint32_t length) {
  switch (link_type) {
  case DLT_EN10MB: {
    if (length < 14) {
      return -1;
    }
    std::uint32_t offset = 12;
    auto ethertype = static_cast<unsigned>((data[offset] << 8) | data[offset + 1]);
    while ((ethertype == 0x8100 || ethertype == 0x88A8) && length >= offset + 6) { // VLAN tags
      offset += 4;
      ethertype = static_cast<unsigned>((data[offset] << 8) | data[offset + 1]);
    }
    return ethertype == 0x0800 ? static_cast<long>(offset + 2) : -1;
  }
  case DLT_LINUX_SLL:
    if (length < 16) {
      return -1;
    }
    return ((data[14] << 8) | data[15]) == 0x0800 ? 16 : -1;
  case DLT_LINUX_SLL2:
    if (length < 20) {
      return -1;
    }
    return ((data[0] << 8) | data[1]) == 0x0800 ? 20 : -1;
  case DLT_RAW:
  case DLT_IPV4:
    return 0;
  case DLT_NULL:
  case DLT_LOOP:
    return length >= 4 ? 4 : -1;
  default:
    return -1;
  }
}

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
    const long offset = link_header_length(link_type, data, header->caplen);
    if (offset < 0 || static_cast<std::uint32_t>(offset) >= header->caplen ||
        (data[offset] >> 4) != 4) {
      ++contents.skipped;
      continue;
    }
    CapturedFrame frame;
    frame.time = Timestamp(std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec));
    frame.ip_packet.assign(data + offset, data + header->caplen);
    if (link_type == DLT_EN10MB) {
      std::array<std::uint8_t, 6> mac{};
      std::copy(data + 6, data + 12, mac.begin());
      frame.link_source = mac;
    }
    contents.frames.push_back(std::move(frame));
  }
  if (rc == PCAP_ERROR) {
    return fail(path.string() + ": damaged capture: " + pcap_geterr(handle.get()));
  }
  return contents;
}

} // namespace stackprint::io
