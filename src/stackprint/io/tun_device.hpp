#pragma once
// A Linux TUN device (layer 3, no packet-information header) that the OS emulator reads probes
// from and writes replies to, plus the route that sends an address block into it.
//
// Safety: everything here changes the network configuration of the current network namespace.
// `stackprint emulate` refuses to run in the initial namespace (see in_initial_network_namespace);
// the device and its route disappear when the descriptor is closed (the process ends).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stackprint/base/expected.hpp"

namespace stackprint::io {

class TunDevice {
public:
  // Creates (or attaches to) TUN interface `name` (at most 15 characters; "" lets the kernel pick
  // tunN), sets it up, and routes network/prefix_length (host order) to it. Needs CAP_NET_ADMIN.
  // Errors name the failing step and the errno text.
  [[nodiscard]] static Expected<TunDevice> open(const std::string& name, std::uint32_t network, int prefix_length);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  ~TunDevice();

  [[nodiscard]] const std::string& name() const { return m_name; }
  [[nodiscard]] int fd() const { return m_fd; }

  // Waits up to `timeout_ms` for one packet; nullopt on timeout or interruption (EINTR). With
  // timeout 0 it only tries to read (the descriptor is non-blocking). The packet is read into one
  // 64 KiB buffer kept for the device's life and returned as a copy of its exact size, so a packet
  // held in a queue costs its length, not the buffer's.
  // Errors: read failures other than EAGAIN/EINTR.
  [[nodiscard]] Expected<std::optional<std::vector<std::uint8_t>>> read_packet(int timeout_ms);
  // Writes one IPv4 packet. Errors: write failures (the packet is dropped, nothing else happens).
  [[nodiscard]] Expected<void> write_packet(std::span<const std::uint8_t> packet);

private:
  TunDevice(int fd, std::string name) : m_fd(fd), m_name(std::move(name)) {}
  int m_fd = -1;
  std::string m_name;
  std::vector<std::uint8_t> m_read_buffer;
};

// The name of the `ip netns` namespace (a bind mount under /run/netns) this process runs in, or
// nullopt when it runs in no named namespace (e.g. the host's own, where the emulator must not
// change routes). Reading /proc/1/ns/net needs privileges sandboxes often lack, so a match with a
// named namespace is the positive evidence required instead.
[[nodiscard]] std::optional<std::string> current_named_network_namespace();

// Enables IPv4 forwarding in the current namespace (/proc/sys/net/ipv4/ip_forward), so packets
// from other namespaces reach the TUN device. Errors name the file and errno text.
[[nodiscard]] Expected<void> enable_ipv4_forwarding();

} // namespace stackprint::io
