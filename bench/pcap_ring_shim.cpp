// A preload library for benchmarks that run `nmap -O` (LD_PRELOAD=libpcap_ring_shim.so): it reports
// what each of Nmap's packet captures received and dropped, and optionally gives them a larger
// kernel buffer. Nothing else of Nmap changes.
//
// Why: Nmap 7.93 reads its OS-detection capture one packet per send pass once a wait has run out,
// from a ring of about 240 frames (docs/nmap-behaviour.md 4.11). In one host group of hundreds of
// hosts the kernel drops most replies before Nmap reads them, so the share of hosts Nmap names
// says more about its capture than about the targets. The drop count shows how much was lost; a
// larger buffer (STACKPRINT_SHIM_BUFFER_MB) shows what Nmap names when nothing is.
//
// Environment:
//   STACKPRINT_SHIM_BUFFER_MB=N  pcap_set_buffer_size(N MB) before each capture is activated (1-1024)
//   STACKPRINT_SHIM_REPORT=FILE  append one line per closed capture to FILE:
//                                "capture snaplen S received R dropped D"
// Without either variable the library only forwards the calls.

#include <dlfcn.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

template <typename Function> Function next_symbol(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name)); // NOLINT: dlsym's result is a function
}

int buffer_megabytes() {
  const char* text = std::getenv("STACKPRINT_SHIM_BUFFER_MB");
  if (text == nullptr) { return 0; }
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 1 || value > 1024) {
    std::fprintf(stderr, "pcap_ring_shim: STACKPRINT_SHIM_BUFFER_MB must be 1-1024, not %s\n", text);
    return 0;
  }
  return static_cast<int>(value);
}

} // namespace

extern "C" int pcap_activate(pcap_t* capture) {
  static const auto real = next_symbol<int (*)(pcap_t*)>("pcap_activate");
  if (const int megabytes = buffer_megabytes(); megabytes > 0) { pcap_set_buffer_size(capture, megabytes << 20); }
  return real(capture);
}

extern "C" void pcap_close(pcap_t* capture) {
  static const auto real = next_symbol<void (*)(pcap_t*)>("pcap_close");
  const char* report = std::getenv("STACKPRINT_SHIM_REPORT");
  pcap_stat stats{};
  if (report != nullptr && pcap_stats(capture, &stats) == 0) {
    if (FILE* out = std::fopen(report, "a"); out != nullptr) {
      std::fprintf(out, "capture snaplen %d received %u dropped %u\n", pcap_snapshot(capture), stats.ps_recv,
                   stats.ps_drop);
      std::fclose(out);
    }
  }
  real(capture);
}
