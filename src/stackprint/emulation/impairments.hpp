#pragma once
// Network impairments of `stackprint emulate`, for robustness tests: reply loss, delay with jitter,
// an ICMP rate limit, and a firewall-like filter that drops chosen OS probes before the emulated
// host sees them. Pure: the caller passes the time and gets a decision.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"
#include "stackprint/emulation/generators.hpp"
#include "stackprint/probes/probe_id.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

struct ImpairmentSpec {
  double loss = 0.0;                           // probability 0..1 that a reply is lost
  std::int64_t delay_us = 0;                   // added to every reply
  std::int64_t jitter_us = 0;                  // plus uniform 0..jitter
  std::optional<double> icmp_per_second;       // token bucket for ICMP replies (burst = max(1, rate))
  std::bitset<probes::k_probe_count> filtered; // probes dropped before they reach the host
  // A default-deny host firewall (--default-deny): TCP passes only to these ports, UDP never, ICMP
  // always. Unlike `filtered` it drops by port, so the port scan's probes to closed ports go too.
  bool default_deny = false;
  std::vector<std::uint16_t> allowed_tcp_ports;
};

// "--loss P": a fraction 0..1 or a percentage "10%".
[[nodiscard]] Expected<double> parse_loss(std::string_view text);
// "--delay MS[:JITTER]" in milliseconds (decimals allowed), both 0..60000.
[[nodiscard]] Expected<std::pair<std::int64_t, std::int64_t>> parse_delay(std::string_view text);
// "--rate-limit-icmp N/s" or "N": replies per second, > 0.
[[nodiscard]] Expected<double> parse_icmp_rate(std::string_view text);
// "--filter PROBES": a name list (base/name_list.hpp: "T2-T7,U1,IE") of probe names (SEQ1-SEQ6,
// OPS1-OPS6, ECN, T1-T7, IE1, IE2, U1) or groups: SEQ (SEQ1-6), OPS (OPS1-6), IE (IE1, IE2).
[[nodiscard]] Expected<std::bitset<probes::k_probe_count>> parse_probe_filter(std::string_view text);

class Impairer {
public:
  Impairer(ImpairmentSpec spec, std::uint64_t seed)
      : m_spec(std::move(spec)), m_rng(mix_seed(seed, std::string_view("impairments"))) {}

  // Whether a received packet is dropped by the filter. `probe` is what recognise_probe() said;
  // a filtered IE also drops other echo requests and a filtered U1 every UDP datagram, as a
  // firewall rule by protocol would; a default-deny firewall drops TCP to other than the allowed
  // ports and all UDP, whatever the packet is.
  [[nodiscard]] bool filtered(const wire::Ipv4Packet& packet, std::optional<probes::ProbeId> probe) const;

  // When a reply produced at `now` goes out, or nullopt when it is lost or rate limited.
  [[nodiscard]] std::optional<Timestamp> schedule(const wire::Ipv4Packet& reply, Timestamp now);

  [[nodiscard]] std::uint64_t lost() const { return m_lost; }
  [[nodiscard]] std::uint64_t rate_limited() const { return m_rate_limited; }
  [[nodiscard]] const ImpairmentSpec& spec() const { return m_spec; }

private:
  ImpairmentSpec m_spec;
  SplitMix m_rng;
  double m_tokens = -1.0; // < 0: bucket not started
  std::optional<Timestamp> m_last_refill;
  std::uint64_t m_lost = 0;
  std::uint64_t m_rate_limited = 0;
};

} // namespace stackprint::emulation
