#include "stackprint/io/raw_sender.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stackprint/io/privileges.hpp"

namespace stackprint::io {

Expected<RawIpv4Sender> RawIpv4Sender::open(const std::optional<std::string>& interface) {
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES) { return fail(k_missing_privilege_message); }
    return fail(std::string("cannot open a raw IPv4 socket: ") + std::strerror(errno));
  }
  RawIpv4Sender sender(fd);
  const int on = 1;
  // IPPROTO_RAW implies IP_HDRINCL; setting it says what we rely on.
  if (::setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) != 0) {
    return fail(std::string("cannot set IP_HDRINCL: ") + std::strerror(errno));
  }
  if (interface) {
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface->c_str(), static_cast<socklen_t>(interface->size())) !=
        0) {
      if (errno == EPERM || errno == EACCES) { return fail(k_missing_privilege_message); }
      return fail("cannot bind the raw socket to interface " + *interface + ": " + std::strerror(errno));
    }
  }
  return sender;
}

RawIpv4Sender::RawIpv4Sender(RawIpv4Sender&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_sent(other.m_sent), m_refused(other.m_refused),
      m_last_refusal(std::move(other.m_last_refusal)) {}

RawIpv4Sender& RawIpv4Sender::operator=(RawIpv4Sender&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) { ::close(m_fd); }
    m_fd = std::exchange(other.m_fd, -1);
    m_sent = other.m_sent;
    m_refused = other.m_refused;
    m_last_refusal = std::move(other.m_last_refusal);
  }
  return *this;
}

RawIpv4Sender::~RawIpv4Sender() {
  if (m_fd >= 0) { ::close(m_fd); }
}

Expected<SendOutcome> RawIpv4Sender::send(std::span<const std::uint8_t> ip_packet) {
  if (ip_packet.size() < 20 || (ip_packet[0] >> 4) != 4) { return fail("refusing to send: not an IPv4 packet"); }
  const std::size_t header_length = static_cast<std::size_t>(ip_packet[0] & 0x0F) * 4;
  const std::size_t total_length = (std::size_t{ip_packet[2]} << 8) | ip_packet[3];
  if (header_length < 20 || header_length > ip_packet.size() || total_length != ip_packet.size()) {
    return fail("refusing to send: IPv4 header length or total length does not match the packet size");
  }
  sockaddr_in destination{};
  destination.sin_family = AF_INET;
  std::memcpy(&destination.sin_addr.s_addr, ip_packet.data() + 16, 4); // already network order
  const ssize_t rc = ::sendto(m_fd, ip_packet.data(), ip_packet.size(), MSG_DONTWAIT,
                              reinterpret_cast<const sockaddr*>(&destination), sizeof destination);
  if (rc < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) { return SendOutcome::would_block; }
    if (errno == EPERM || errno == EACCES || errno == ENETUNREACH || errno == EHOSTUNREACH || errno == EHOSTDOWN ||
        errno == ENETDOWN) {
      ++m_refused;
      m_last_refusal = std::strerror(errno);
      return SendOutcome::refused;
    }
    return fail(std::string("sending a raw IPv4 packet failed: ") + std::strerror(errno));
  }
  ++m_sent;
  return SendOutcome::sent;
}

} // namespace stackprint::io
