#pragma once
// Reading recorded exchanges (pcap or pcapng, through libpcap) into owned frames. The frames keep
// their capture timestamps, which replay uses for the timing-based tests (SEQ ISR/SP/TS).

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"

namespace stackprint::io {

// Every frame of the capture at `path`, as IPv4 packets with the link-layer header stripped
// (Ethernet, Linux cooked v1/v2, raw IP and loopback links are understood). Frames of other
// link types or non-IPv4 frames are skipped and counted in `skipped`.
struct CaptureContents {
  std::vector<CapturedFrame> frames;
  std::uint64_t skipped = 0;
};

// Error when the file cannot be opened, is not a pcap/pcapng capture, or is damaged (including a
// record timestamp before 1970 or beyond 2^40 seconds, which no real capture holds).
[[nodiscard]] Expected<CaptureContents> read_capture_file(const std::filesystem::path& path);

// The same in two steps, for commands that read untrusted captures under the seccomp allow-list
// (io/sandbox.hpp): open_capture_file() opens the file while files may still be opened;
// read_capture_file() on the result then only reads the open descriptor.
struct OpenCapture {
  struct Closer {
    void operator()(std::FILE* f) const;
  };
  std::filesystem::path path;
  std::unique_ptr<std::FILE, Closer> file;
};
// Error when the file cannot be opened (the same text as read_capture_file's).
[[nodiscard]] Expected<OpenCapture> open_capture_file(const std::filesystem::path& path);
// Consumes the open file. Errors as read_capture_file's.
[[nodiscard]] Expected<CaptureContents> read_capture_file(OpenCapture capture);

} // namespace stackprint::io
