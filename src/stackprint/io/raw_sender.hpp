#pragma once
// Sending prepared IPv4 packets (header included) through a raw socket:
// socket(AF_INET, SOCK_RAW, IPPROTO_RAW), which implies IP_HDRINCL on Linux.
//
// What the Linux kernel does to a header-included packet (raw_send_hdrinc): it always rewrites the
// total length and the header checksum (so they must already be right if a test compares them), it
// fills in the source address when it is 0.0.0.0, and it picks an IP ID when the ID is 0. Nmap's
// probes all carry non-zero IDs (U1 uses 0x1042), so their IDs go out unchanged.
// Opening needs root or CAP_NET_RAW; afterwards the descriptor keeps working after
// drop_privileges().

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "stackprint/base/expected.hpp"

namespace stackprint::io {

enum class SendOutcome {
  sent,
  would_block, // the socket buffer is full: retry after a short wait
  // The kernel refused this one packet but the socket is fine: a local firewall rule (EPERM), no
  // route or neighbour for that destination (ENETUNREACH, EHOSTUNREACH, EHOSTDOWN), or the
  // interface went down (ENETDOWN). The scan goes on; the probe counts as unanswered.
  refused,
};

class RawIpv4Sender {
public:
  // Opens the socket; with `interface`, binds it to that device (SO_BINDTODEVICE) so probes leave
  // through the interface the route lookup chose (or -e). Errors: the missing-privilege message of
  // privileges.hpp when the kernel says EPERM/EACCES, otherwise the system error.
  [[nodiscard]] static Expected<RawIpv4Sender> open(const std::optional<std::string>& interface = std::nullopt);

  RawIpv4Sender(RawIpv4Sender&& other) noexcept;
  RawIpv4Sender& operator=(RawIpv4Sender&& other) noexcept;
  RawIpv4Sender(const RawIpv4Sender&) = delete;
  RawIpv4Sender& operator=(const RawIpv4Sender&) = delete;
  ~RawIpv4Sender();

  // Sends one IPv4 packet, starting at its IPv4 header (network byte order, as on the wire). The
  // destination is read from the header. Never blocks. Errors: the packet is not IPv4, shorter than
  // its header, or its total-length field disagrees with its size; or the socket itself failed
  // (e.g. "Message too long", "Bad file descriptor"). Per-destination refusals are the `refused`
  // outcome, not errors.
  [[nodiscard]] Expected<SendOutcome> send(std::span<const std::uint8_t> ip_packet);

  // Packets sent so far.
  [[nodiscard]] std::uint64_t sent_count() const { return m_sent; }
  // Packets refused so far, and the system message of the latest refusal ("" if none).
  [[nodiscard]] std::uint64_t refused_count() const { return m_refused; }
  [[nodiscard]] const std::string& last_refusal() const { return m_last_refusal; }

private:
  explicit RawIpv4Sender(int fd) : m_fd(fd) {}
  int m_fd = -1;
  std::uint64_t m_sent = 0;
  std::uint64_t m_refused = 0;
  std::string m_last_refusal;
};

} // namespace stackprint::io
