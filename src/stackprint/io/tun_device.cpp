#include "stackprint/io/tun_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/route.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace stackprint::io {

namespace {

std::string errno_text() { return std::strerror(errno); }

// A short-lived AF_INET datagram socket for interface and route ioctls.
class ControlSocket {
public:
  ControlSocket() : m_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~ControlSocket() {
    if (m_fd >= 0) ::close(m_fd);
  }
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;
  [[nodiscard]] int fd() const { return m_fd; }

private:
  int m_fd;
};

void set_ipv4(sockaddr& out, std::uint32_t host_order) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(host_order);
  std::memcpy(&out, &in, sizeof in);
}

} // namespace

Expected<TunDevice> TunDevice::open(const std::string& name, std::uint32_t network, int prefix_length) {
  if (name.size() >= IFNAMSIZ)
    return fail(fmt::format("TUN name '{}' is longer than {} characters", name, IFNAMSIZ - 1));
  if (prefix_length < 0 || prefix_length > 32) return fail("TUN route: prefix length must be 0-32");
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail("cannot open /dev/net/tun: " + errno_text());
  TunDevice device(fd, name);
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(request.ifr_name, name.c_str(), name.size());
  if (::ioctl(fd, TUNSETIFF, &request) < 0) return fail("TUNSETIFF " + name + ": " + errno_text());
  device.m_name = std::string(request.ifr_name, strnlen(request.ifr_name, IFNAMSIZ));

  ControlSocket control;
  if (control.fd() < 0) return fail("socket(AF_INET): " + errno_text());
  ifreq flags{};
  std::memcpy(flags.ifr_name, device.m_name.c_str(), device.m_name.size());
  if (::ioctl(control.fd(), SIOCGIFFLAGS, &flags) < 0)
    return fail("SIOCGIFFLAGS " + device.m_name + ": " + errno_text());
  flags.ifr_flags = static_cast<short>(flags.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(control.fd(), SIOCSIFFLAGS, &flags) < 0)
    return fail("SIOCSIFFLAGS " + device.m_name + ": " + errno_text());

  rtentry route{};
  set_ipv4(route.rt_dst, network);
  const std::uint32_t mask = prefix_length == 0 ? 0U : 0xFFFFFFFFU << static_cast<unsigned>(32 - prefix_length);
  set_ipv4(route.rt_genmask, mask);
  set_ipv4(route.rt_gateway, 0);
  route.rt_flags = RTF_UP;
  if (prefix_length == 32) route.rt_flags |= RTF_HOST;
  std::string dev = device.m_name;
  route.rt_dev = dev.data();
  if (::ioctl(control.fd(), SIOCADDRT, &route) < 0 && errno != EEXIST) {
    return fail(fmt::format("adding the route to {} via {}: {}", prefix_length, device.m_name, errno_text()));
  }
  return device;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : m_fd(other.m_fd), m_name(std::move(other.m_name)), m_read_buffer(std::move(other.m_read_buffer)) {
  other.m_fd = -1;
}

TunDevice& TunDevice::operator=(TunDevice&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    m_name = std::move(other.m_name);
    m_read_buffer = std::move(other.m_read_buffer);
    other.m_fd = -1;
  }
  return *this;
}

TunDevice::~TunDevice() {
  if (m_fd >= 0) ::close(m_fd);
}

Expected<std::optional<std::vector<std::uint8_t>>> TunDevice::read_packet(int timeout_ms) {
  if (timeout_ms != 0) {
    pollfd p{m_fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) return std::optional<std::vector<std::uint8_t>>{};
      return fail("poll on " + m_name + ": " + errno_text());
    }
    if (ready == 0) return std::optional<std::vector<std::uint8_t>>{};
  }
  if (m_read_buffer.empty()) m_read_buffer.resize(65536);
  const ssize_t n = ::read(m_fd, m_read_buffer.data(), m_read_buffer.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::optional<std::vector<std::uint8_t>>{};
    return fail("read from " + m_name + ": " + errno_text());
  }
  return std::optional<std::vector<std::uint8_t>>{
      std::vector<std::uint8_t>(m_read_buffer.begin(), m_read_buffer.begin() + n)};
}

Expected<void> TunDevice::write_packet(std::span<const std::uint8_t> packet) {
  const ssize_t n = ::write(m_fd, packet.data(), packet.size());
  if (n < 0) return fail("write to " + m_name + ": " + errno_text());
  return {};
}

std::optional<std::string> current_named_network_namespace() {
  struct stat self {};
  if (::stat("/proc/self/ns/net", &self) != 0) return std::nullopt;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    struct stat named {};
    if (::stat(entry.path().c_str(), &named) == 0 && named.st_ino == self.st_ino && named.st_dev == self.st_dev) {
      return entry.path().filename().string();
    }
  }
  return std::nullopt;
}

Expected<void> enable_ipv4_forwarding() {
  const int fd = ::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open /proc/sys/net/ipv4/ip_forward: " + errno_text());
  const ssize_t n = ::write(fd, "1\n", 2);
  const int saved = errno;
  ::close(fd);
  if (n != 2) return fail(std::string("cannot write /proc/sys/net/ipv4/ip_forward: ") + std::strerror(saved));
  return {};
}

} // namespace stackprint::io
