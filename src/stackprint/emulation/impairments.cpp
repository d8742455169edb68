#include "stackprint/emulation/impairments.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"
#include "stackprint/base/name_list.hpp"

namespace stackprint::emulation {

namespace {

std::optional<double> parse_number(std::string_view text) { return parse_decimal_fraction(text, 19); }

} // namespace

Expected<double> parse_loss(std::string_view text) {
  const bool percent = !text.empty() && text.back() == '%';
  const auto v = parse_number(percent ? text.substr(0, text.size() - 1) : text);
  if (!v) return fail(fmt::format("--loss '{}': expected a fraction 0-1 or a percentage like 10%", text));
  const double p = percent ? *v / 100.0 : *v;
  if (p < 0.0 || p > 1.0) return fail(fmt::format("--loss '{}': must be between 0 and 1 (0% and 100%)", text));
  return p;
}

Expected<std::pair<std::int64_t, std::int64_t>> parse_delay(std::string_view text) {
  const std::size_t colon = text.find(':');
  const auto ms = parse_number(text.substr(0, colon));
  const auto jitter =
      colon == std::string_view::npos ? std::optional<double>(0.0) : parse_number(text.substr(colon + 1));
  if (!ms || !jitter || *ms > 60000.0 || *jitter > 60000.0) {
    return fail(fmt::format("--delay '{}': expected MS or MS:JITTER in milliseconds (0-60000)", text));
  }
  return std::pair<std::int64_t, std::int64_t>{static_cast<std::int64_t>(*ms * 1000.0),
                                               static_cast<std::int64_t>(*jitter * 1000.0)};
}

Expected<double> parse_icmp_rate(std::string_view text) {
  std::string_view number = text;
  if (number.size() > 2 && number.substr(number.size() - 2) == "/s") number.remove_suffix(2);
  const auto v = parse_number(number);
  if (!v || *v <= 0.0 || *v > 1e6) return fail(fmt::format("--rate-limit-icmp '{}': expected N/s with N > 0", text));
  return *v;
}

Expected<std::bitset<probes::k_probe_count>> parse_probe_filter(std::string_view text) {
  const auto listed = parse_name_list(text);
  if (!listed) return fail(fmt::format("--filter '{}': {}", text, listed.error().message));
  std::bitset<probes::k_probe_count> out;
  const auto set_all = [&out](probes::ProbeId first, probes::ProbeId last) {
    for (auto i = static_cast<std::size_t>(first); i <= static_cast<std::size_t>(last); ++i) out.set(i);
  };
  for (const ListedName& listed_name : *listed) {
    const std::string_view name = listed_name.name;
    if (name == "SEQ") {
      set_all(probes::ProbeId::SEQ1, probes::ProbeId::SEQ6);
    } else if (name == "OPS") {
      set_all(probes::ProbeId::OPS1, probes::ProbeId::OPS6);
    } else if (name == "IE") {
      set_all(probes::ProbeId::IE1, probes::ProbeId::IE2);
    } else if (const auto id = probes::probe_from_name(name)) {
      out.set(static_cast<std::size_t>(*id));
    } else {
      return fail(fmt::format("--filter '{}': unknown probe '{}'{} (SEQ, OPS, ECN, T1-T7, IE, IE1, IE2, U1)", text,
                              name, listed_name.item == name ? "" : fmt::format(" in '{}'", listed_name.item)));
    }
  }
  return out;
}

bool Impairer::filtered(const wire::Ipv4Packet& packet, std::optional<probes::ProbeId> probe) const {
  if (m_spec.default_deny) {
    if (packet.udp() != nullptr) return true;
    if (const auto* tcp = packet.tcp();
        tcp != nullptr && std::find(m_spec.allowed_tcp_ports.begin(), m_spec.allowed_tcp_ports.end(),
                                    tcp->destination_port) == m_spec.allowed_tcp_ports.end()) {
      return true;
    }
  }
  if (probe && m_spec.filtered.test(static_cast<std::size_t>(*probe))) return true;
  if (packet.udp() != nullptr && m_spec.filtered.test(static_cast<std::size_t>(probes::ProbeId::U1))) return true;
  if (const auto* icmp = packet.icmp(); icmp != nullptr && icmp->type == wire::k_icmp_echo_request &&
                                        m_spec.filtered.test(static_cast<std::size_t>(probes::ProbeId::IE1)) &&
                                        m_spec.filtered.test(static_cast<std::size_t>(probes::ProbeId::IE2))) {
    return true;
  }
  return false;
}

std::optional<Timestamp> Impairer::schedule(const wire::Ipv4Packet& reply, Timestamp now) {
  if (m_spec.loss > 0.0 && m_rng.unit() < m_spec.loss) {
    ++m_lost;
    return std::nullopt;
  }
  if (m_spec.icmp_per_second && reply.icmp() != nullptr) {
    const double rate = *m_spec.icmp_per_second;
    const double burst = std::max(1.0, rate);
    if (m_tokens < 0.0) m_tokens = burst;
    if (m_last_refill) {
      const double elapsed = static_cast<double>((now - *m_last_refill).count()) / 1e6;
      m_tokens = std::min(burst, m_tokens + std::max(0.0, elapsed) * rate);
    }
    m_last_refill = now;
    if (m_tokens < 1.0) {
      ++m_rate_limited;
      return std::nullopt;
    }
    m_tokens -= 1.0;
  }
  std::int64_t delay = m_spec.delay_us;
  if (m_spec.jitter_us > 0)
    delay += static_cast<std::int64_t>(m_rng.below(static_cast<std::uint64_t>(m_spec.jitter_us) + 1));
  return now + std::chrono::microseconds{delay};
}

} // namespace stackprint::emulation
