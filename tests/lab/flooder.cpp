// Lab program for tests/lab/flood_lab_test.sh (root only, inside namespaces the script creates):
// a packet flood at a fixed rate, bounded in packets and seconds.
//
//   flooder probes  SOURCE DEST        RATE SECONDS MAX [THREADS]   TCP SYNs (ports 22, 80 and others), UDP
//                                                          datagrams and ICMP echo requests from
//                                                          SOURCE to the one address DEST
//   flooder replies SOURCES/PREFIX DEST RATE SECONDS MAX [THREADS]  forged answers from the addresses of
//                                                          SOURCES/PREFIX to DEST: RST/ACKs from
//                                                          ports 22 and 80 and others, echo replies
//                                                          and port unreachables, random numbers in
//                                                          each (no SYN/ACKs: DEST's kernel would
//                                                          answer each with a RST, a second flood
//                                                          at every forged address)
//
// RATE packets per second for SECONDS (at most 60; SIGTERM stops it earlier), and never more than MAX packets (at most
// 10,000,000). Packets go out through raw sockets (IP_HDRINCL) in batches of up to 64 (sendmmsg),
// paced against the monotonic clock; THREADS (1-8, default 1) senders each send RATE/THREADS with
// their own socket, so that on a busy machine the flood gets more than one scheduler share. Prints one JSON line:
// {"sent","seconds","rate", "send_errors"}. Exit 0 after the flood, 2 for bad arguments, 3 when the socket cannot be
// opened.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr double k_max_seconds = 60.0;
constexpr long k_max_packets = 10'000'000;
constexpr std::size_t k_batch = 64;

// Set by SIGTERM/SIGINT: the senders stop early and the totals are still printed.
std::atomic<bool> g_stop{false}; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
extern "C" void request_stop(int /*signal*/) { g_stop = true; }

int usage() {
  (void)std::fputs("usage: flooder probes|replies FROM TO RATE SECONDS MAX [THREADS]\n", stderr);
  return 2;
}

// A number from the whole of `text`; nullopt when any of it is not part of the number.
std::optional<double> parse_number(const char* text) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0') return std::nullopt;
  return value;
}

bool parse_address(const std::string& text, std::uint32_t& out) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8U);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16U);
  put16(b, at + 2, v & 0xFFFFU);
}

std::uint32_t sum16(const std::uint8_t* data, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += (std::uint32_t{data[i]} << 8U) | data[i + 1];
  if (n % 2 != 0) sum += std::uint32_t{data[n - 1]} << 8U;
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while ((sum >> 16U) != 0) sum = (sum & 0xFFFFU) + (sum >> 16U);
  return static_cast<std::uint16_t>(~sum);
}

// An IPv4 packet with a 20-byte header and `payload` bytes after it; checksums filled in.
std::vector<std::uint8_t> ipv4(std::uint32_t src, std::uint32_t dst, std::uint8_t protocol,
                               std::vector<std::uint8_t> payload, std::uint16_t id) {
  std::vector<std::uint8_t> b(20 + payload.size());
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(b.size()));
  put16(b, 4, id);
  b[8] = 64;
  b[9] = protocol;
  put32(b, 12, src);
  put32(b, 16, dst);
  put16(b, 10, fold(sum16(b.data(), 20)));
  std::memcpy(b.data() + 20, payload.data(), payload.size());
  if (protocol == IPPROTO_TCP || protocol == IPPROTO_UDP) {
    std::array<std::uint8_t, 12> pseudo{};
    std::memcpy(pseudo.data(), b.data() + 12, 8);
    pseudo[9] = protocol;
    pseudo[10] = static_cast<std::uint8_t>(payload.size() >> 8U);
    pseudo[11] = static_cast<std::uint8_t>(payload.size());
    const std::size_t at = protocol == IPPROTO_TCP ? 36 : 26;
    put16(b, at, fold(sum16(b.data() + 20, payload.size(), sum16(pseudo.data(), pseudo.size()))));
  } else {
    put16(b, 22, fold(sum16(b.data() + 20, payload.size())));
  }
  return b;
}

std::vector<std::uint8_t> tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                              std::uint8_t flags) {
  std::vector<std::uint8_t> t(20);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 0x50;
  t[13] = flags;
  put16(t, 14, 1024);
  return t;
}

std::vector<std::uint8_t> make_probe(std::mt19937_64& rng, std::uint32_t src, std::uint32_t dst) {
  const auto r = rng();
  const auto sport = static_cast<std::uint16_t>(1024 + (r % 60000));
  const auto id = static_cast<std::uint16_t>(r >> 20U);
  switch ((r >> 40U) % 8) {
  case 0:
  case 1:
  case 2: return ipv4(src, dst, IPPROTO_TCP, tcp(sport, 80, static_cast<std::uint32_t>(r), 0, 0x02), id);
  case 3:
  case 4: return ipv4(src, dst, IPPROTO_TCP, tcp(sport, 22, static_cast<std::uint32_t>(r), 0, 0x02), id);
  case 5: return ipv4(src, dst, IPPROTO_TCP, tcp(sport, static_cast<std::uint16_t>(r >> 48U) | 1U, 0, 0, 0x02), id);
  case 6: {
    std::vector<std::uint8_t> u(8 + 32, 0x43);
    put16(u, 0, sport);
    put16(u, 2, 40000 + static_cast<std::uint32_t>(r % 1000));
    put16(u, 4, static_cast<std::uint32_t>(u.size()));
    put16(u, 6, 0);
    return ipv4(src, dst, IPPROTO_UDP, u, id);
  }
  default: {
    std::vector<std::uint8_t> e(8 + 56, 0);
    e[0] = 8; // echo request
    put16(e, 4, static_cast<std::uint32_t>(r >> 8U) & 0xFFFFU);
    put16(e, 6, static_cast<std::uint32_t>(r >> 24U) & 0xFFFFU);
    put16(e, 2, 0);
    return ipv4(src, dst, IPPROTO_ICMP, e, id);
  }
  }
}

std::vector<std::uint8_t> make_reply(std::mt19937_64& rng, std::uint32_t first, std::uint32_t count,
                                     std::uint32_t dst) {
  const auto r = rng();
  const std::uint32_t src = first + static_cast<std::uint32_t>(r % count);
  const auto dport = static_cast<std::uint16_t>(1024 + ((r >> 8U) % 60000));
  const auto id = static_cast<std::uint16_t>(r >> 20U);
  const auto seq = static_cast<std::uint32_t>(rng());
  const auto ack = static_cast<std::uint32_t>(r >> 32U);
  switch ((r >> 40U) % 6) {
  case 0:
  case 1: return ipv4(src, dst, IPPROTO_TCP, tcp((r & 0x100U) != 0 ? 22 : 80, dport, seq, ack, 0x14), id);
  case 2:
  case 3: return ipv4(src, dst, IPPROTO_TCP, tcp(static_cast<std::uint16_t>(r >> 48U) | 1U, dport, 0, ack, 0x14), id);
  case 4: {
    std::vector<std::uint8_t> e(8 + 120, 0);
    e[0] = 0; // echo reply
    put16(e, 4, static_cast<std::uint32_t>(r >> 8U) & 0xFFFFU);
    put16(e, 6, static_cast<std::uint32_t>(r >> 24U) & 0xFFFFU);
    return ipv4(src, dst, IPPROTO_ICMP, e, id);
  }
  default: {
    // A port unreachable quoting a UDP datagram "sent" by DEST to SOURCE.
    std::vector<std::uint8_t> quoted = ipv4(dst, src, IPPROTO_UDP, std::vector<std::uint8_t>(8 + 300, 0x43), id);
    put16(quoted, 22, static_cast<std::uint32_t>(40000 + (r % 1000)));
    std::vector<std::uint8_t> e(8 + quoted.size(), 0);
    e[0] = 3;
    e[1] = 3;
    std::memcpy(e.data() + 8, quoted.data(), quoted.size());
    return ipv4(src, dst, IPPROTO_ICMP, e, id);
  }
  }
}

struct SendResult {
  long sent = 0;
  long errors = 0;
};

// Sends pool[offset...] round at `rate` packets/s for `seconds` from `start`, at most `max_packets`.
SendResult send_paced(int fd, const std::vector<std::vector<std::uint8_t>>& pool, std::size_t offset, double rate,
                      double seconds, long max_packets, std::chrono::steady_clock::time_point start) {
  std::array<iovec, k_batch> iov{};
  std::array<mmsghdr, k_batch> msgs{};
  std::array<sockaddr_in, k_batch> targets{};
  SendResult result;
  long attempts = 0;
  std::size_t next = offset;
  for (;;) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed >= seconds || attempts >= max_packets || g_stop) break;
    const long due = std::min(max_packets, static_cast<long>(rate * elapsed) + 1);
    if (attempts >= due) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    const auto n = static_cast<std::size_t>(std::min<long>(static_cast<long>(k_batch), due - attempts));
    for (std::size_t i = 0; i < n; ++i) {
      const auto& packet = pool[next++ % pool.size()];
      // sendmmsg only reads the packet; iovec's pointer is not const.
      // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
      iov[i] = iovec{const_cast<std::uint8_t*>(packet.data()), packet.size()};
      targets[i] = sockaddr_in{};
      targets[i].sin_family = AF_INET;
      std::memcpy(&targets[i].sin_addr, packet.data() + 16, 4);
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = &targets[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int done = ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
    if (done < 0) {
      ++result.errors;
      ++attempts; // a persistent error cannot spin beyond MAX
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    attempts += done;
    result.sent += done;
  }
  return result;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8) return usage();
  const std::string mode = argv[1];
  std::string from = argv[2];
  std::uint32_t dst = 0;
  if (!parse_address(argv[3], dst)) return usage();
  const auto rate_arg = parse_number(argv[4]);
  const auto seconds_arg = parse_number(argv[5]);
  const auto max_arg = parse_number(argv[6]);
  const auto threads_arg = argc == 8 ? parse_number(argv[7]) : std::optional<double>{1.0};
  if (!rate_arg || !seconds_arg || !max_arg || !threads_arg || *threads_arg < 1 || *threads_arg > 8) return usage();
  const double rate = *rate_arg;
  const double seconds = *seconds_arg;
  const auto max_packets = static_cast<long>(*max_arg);
  const auto threads = static_cast<int>(*threads_arg);
  if (rate <= 0 || rate > 1e7 || seconds <= 0 || seconds > k_max_seconds || max_packets <= 0 ||
      max_packets > k_max_packets) {
    (void)std::fprintf(stderr, "flooder: RATE > 0, 0 < SECONDS <= %.0f, 0 < MAX <= %ld\n", k_max_seconds,
                       k_max_packets);
    return 2;
  }
  std::uint32_t first = 0;
  std::uint32_t count = 1;
  if (mode == "replies") {
    const auto slash = from.find('/');
    if (slash == std::string::npos) return usage();
    const auto prefix_arg = parse_number(from.c_str() + slash + 1);
    if (!prefix_arg) return usage();
    const auto prefix = static_cast<int>(*prefix_arg);
    if (prefix < 16 || prefix > 32) return usage();
    from.resize(slash);
    count = prefix == 32 ? 1U : (1U << static_cast<unsigned>(32 - prefix)) - 2U;
    if (count == 0) count = 1;
  } else if (mode != "probes") {
    return usage();
  }
  if (!parse_address(from, first)) return usage();
  if (mode == "replies" && count > 1) first += 1; // skip the network address

  // A fixed seed: every run floods with the same packets.
  std::mt19937_64 rng(12345); // NOLINT(cert-msc32-c,cert-msc51-cpp)
  // A pool of distinct packets, sent round: building them is kept out of the timed loop.
  std::vector<std::vector<std::uint8_t>> pool;
  pool.reserve(4096);
  for (int i = 0; i < 4096; ++i) {
    pool.push_back(mode == "probes" ? make_probe(rng, first, dst) : make_reply(rng, first, count, dst));
  }
  std::vector<int> sockets;
  for (int t = 0; t < threads; ++t) {
    const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) {
      (void)std::fprintf(stderr, "flooder: raw socket: %s\n", std::strerror(errno));
      return 3;
    }
    int buffer = 4 << 20;
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    sockets.push_back(fd);
  }
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::vector<SendResult> results(static_cast<std::size_t>(threads));
  std::vector<std::thread> senders;
  senders.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([&, t] {
      results[static_cast<std::size_t>(t)] =
          send_paced(sockets[static_cast<std::size_t>(t)], pool, static_cast<std::size_t>(t) * 512, rate / threads,
                     seconds, max_packets / threads, start);
    });
  }
  long sent = 0;
  long errors = 0;
  for (int t = 0; t < threads; ++t) {
    senders[static_cast<std::size_t>(t)].join();
    sent += results[static_cast<std::size_t>(t)].sent;
    errors += results[static_cast<std::size_t>(t)].errors;
    ::close(sockets[static_cast<std::size_t>(t)]);
  }
  const double took = std::chrono::duration<double>(clock::now() - start).count();
  std::printf("{\"sent\":%ld,\"seconds\":%.3f,\"rate\":%.0f,\"send_errors\":%ld,\"threads\":%d}\n", sent, took,
              static_cast<double>(sent) / took, errors, threads);
  return 0;
}
