#include "stackprint/emulation/hostile.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

#include "stackprint/base/checksum.hpp"
#include "stackprint/wire/packet_builders.hpp"

namespace stackprint::emulation {
namespace {

constexpr std::array<std::string_view, k_hostile_kind_count> k_kind_names{"malformed", "options",   "duplicate", "late",
                                                                          "flood",     "fragments", "spoof"};
constexpr std::size_t k_max_spoofed_neighbours = 4;
constexpr int k_flood_from_self = 16;
constexpr int k_flood_from_others = 4;

// Recomputes the IPv4 header checksum over min(ihl*4, size) bytes; leaves anything shorter alone.
void fix_ip_checksum(std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 20) { return; }
  const std::size_t length = std::min<std::size_t>(std::size_t{bytes[0] & 0x0FU} * 4, bytes.size());
  if (length < 12) { return; }
  bytes[10] = 0;
  bytes[11] = 0;
  const std::uint16_t sum = internet_checksum(std::span<const std::uint8_t>(bytes.data(), length));
  bytes[10] = static_cast<std::uint8_t>(sum >> 8);
  bytes[11] = static_cast<std::uint8_t>(sum & 0xFF);
}

void set_total_length(std::vector<std::uint8_t>& bytes, std::size_t length) {
  bytes[2] = static_cast<std::uint8_t>((length >> 8) & 0xFF);
  bytes[3] = static_cast<std::uint8_t>(length & 0xFF);
}

Timestamp later(Timestamp at, std::int64_t microseconds) { return at + std::chrono::microseconds(microseconds); }

} // namespace

Expected<HostileKinds> parse_hostile_kinds(std::string_view text) {
  HostileKinds kinds;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view name = text.substr(start, comma - start);
    if (name == "all") {
      kinds.set();
    } else {
      const auto it = std::find(k_kind_names.begin(), k_kind_names.end(), name);
      if (it == k_kind_names.end()) {
        return fail("--hostile '" + std::string(text) + "': unknown kind '" + std::string(name) +
                    "' (malformed, options, duplicate, late, flood, fragments, spoof, all)");
      }
      kinds.set(static_cast<std::size_t>(it - k_kind_names.begin()));
    }
    start = comma + 1;
  }
  return kinds;
}

std::vector<std::uint32_t> hostile_neighbours(std::span<const std::uint32_t> block, std::size_t index) {
  std::vector<std::uint32_t> out;
  for (std::size_t distance = 1; distance <= block.size() && out.size() < k_max_spoofed_neighbours; ++distance) {
    if (index >= distance) { out.push_back(block[index - distance]); }
    if (index + distance < block.size() && out.size() < k_max_spoofed_neighbours) {
      out.push_back(block[index + distance]);
    }
  }
  return out;
}

HostileHost::HostileHost(HostileKinds kinds, std::uint32_t address, std::vector<std::uint32_t> neighbours,
                         std::uint64_t seed)
    : m_kinds(kinds), m_address(address), m_neighbours(std::move(neighbours)),
      m_rng(mix_seed(seed, std::string_view("hostile"))) {
  if (m_neighbours.size() > k_max_spoofed_neighbours) { m_neighbours.resize(k_max_spoofed_neighbours); }
}

wire::Ipv4Packet HostileHost::as_if_for_us(const wire::Ipv4Packet& probe) const {
  wire::Ipv4Packet copy = probe;
  copy.ip.destination = m_address;
  return copy;
}

void HostileHost::add_malformed(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out) {
  const std::vector<std::uint8_t> good = wire::serialize(answer);
  const std::size_t ihl = answer.ip.header_length();
  std::vector<std::vector<std::uint8_t>> variants;
  // IP layer (a Linux router on the way drops these; a scanner on the same link sees them).
  auto v = good;
  v[0] = 0x44; // IHL 4: shorter than the fixed header
  fix_ip_checksum(v);
  variants.push_back(v);
  v = good;
  v[0] = 0x4F; // IHL 15: 60 bytes of header
  fix_ip_checksum(v);
  variants.push_back(v);
  v = good;
  set_total_length(v, good.size() + 40); // claims bytes that are not there
  fix_ip_checksum(v);
  variants.push_back(v);
  v = good;
  set_total_length(v, 10); // shorter than its own header
  fix_ip_checksum(v);
  variants.push_back(v);
  v = good;
  v[10] ^= 0xFF; // bad header checksum
  variants.push_back(v);
  v = good;
  v[0] = static_cast<std::uint8_t>(0x60 | (v[0] & 0x0F)); // version 6
  fix_ip_checksum(v);
  variants.push_back(v);
  // Transport layer: well-formed IP around a broken TCP header or ICMP error.
  if (answer.tcp() != nullptr && good.size() >= ihl + 20) {
    v = good;
    v[ihl + 12] = static_cast<std::uint8_t>(0x20 | (v[ihl + 12] & 0x0F)); // data offset 2
    variants.push_back(v);
    v = good;
    v[ihl + 12] = static_cast<std::uint8_t>(0xF0 | (v[ihl + 12] & 0x0F)); // data offset 15
    variants.push_back(v);
    v = good;
    v.resize(ihl + 12); // TCP header cut after the ack number
    set_total_length(v, v.size());
    fix_ip_checksum(v);
    variants.push_back(v);
    v = good;
    v[ihl + 16] ^= 0xFF; // bad TCP checksum
    variants.push_back(v);
  }
  if (const wire::IcmpMessage* icmp = answer.icmp(); icmp != nullptr && icmp->is_error() && good.size() >= ihl + 12) {
    v = good;
    v.resize(ihl + 12); // quotes 4 bytes of the offending datagram
    set_total_length(v, v.size());
    fix_ip_checksum(v);
    v[ihl + 2] = 0;
    v[ihl + 3] = 0;
    const std::uint16_t sum = internet_checksum(std::span<const std::uint8_t>(v).subspan(ihl));
    v[ihl + 2] = static_cast<std::uint8_t>(sum >> 8);
    v[ihl + 3] = static_cast<std::uint8_t>(sum & 0xFF);
    variants.push_back(v);
  }
  for (auto& bytes : variants) {
    out.push_back(TimedBytes{at, std::move(bytes)});
    ++m_stats.malformed;
  }
}

void HostileHost::add_bogus_options(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out) {
  if (answer.tcp() == nullptr) { return; }
  static const std::array<std::vector<std::uint8_t>, 6> k_bogus{{
      {2, 0, 5, 180},                                // MSS with length 0
      {3, 1, 0, 0},                                  // window scale with length 1
      {8, 40, 1, 2, 3, 4, 5, 6, 7, 8},               // timestamps claiming 40 bytes
      std::vector<std::uint8_t>(40, 1),              // 40 bytes of NOPs
      {254, 6, 0xAB, 0xCD, 0xEF, 0x01, 99, 2, 0, 0}, // unknown kinds, one without room for a length
      {2, 3, 5, 4, 0, 0, 0, 0},                      // 3-byte MSS, EOL, garbage after it
  }};
  for (const auto& options : k_bogus) {
    wire::Ipv4Packet copy = answer;
    auto& tcp = std::get<wire::TcpSegment>(copy.payload);
    tcp.options_raw = options;
    // Lengths follow the bytes (data offset from the padded options), so only the options lie.
    out.push_back(TimedBytes{at, wire::serialize(copy)});
    ++m_stats.options;
  }
}

void HostileHost::add_fragments(const wire::Ipv4Packet& answer, Timestamp at, std::vector<TimedBytes>& out) {
  const std::vector<std::uint8_t> good = wire::serialize(answer);
  const std::size_t ihl = answer.ip.header_length();
  if (good.size() < ihl + 16) { return; }
  const std::vector<std::uint8_t> header(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(ihl));
  // First fragment: 8 transport bytes, MF set.
  std::vector<std::uint8_t> first = header;
  first.insert(first.end(), good.begin() + static_cast<std::ptrdiff_t>(ihl),
               good.begin() + static_cast<std::ptrdiff_t>(ihl + 8));
  first[6] = static_cast<std::uint8_t>((first[6] & 0x40) | 0x20);
  first[7] = 0;
  set_total_length(first, first.size());
  fix_ip_checksum(first);
  // Second fragment: the rest at offset 1 (8 bytes).
  std::vector<std::uint8_t> second = header;
  second.insert(second.end(), good.begin() + static_cast<std::ptrdiff_t>(ihl + 8), good.end());
  second[6] = static_cast<std::uint8_t>(second[6] & 0x40);
  second[7] = 1;
  set_total_length(second, second.size());
  fix_ip_checksum(second);
  // A whole-looking first fragment (MF set, full transport header) whose header is false.
  std::vector<std::uint8_t> lying = good;
  lying[6] = static_cast<std::uint8_t>((lying[6] & 0x40) | 0x20);
  if (answer.tcp() != nullptr) {
    lying[ihl + 13] ^= 0x17; // other flags
  }
  fix_ip_checksum(lying);
  for (auto* bytes : {&first, &second, &lying}) {
    out.push_back(TimedBytes{at, std::move(*bytes)});
    ++m_stats.fragments;
  }
}

void HostileHost::add_flood(const wire::Ipv4Packet& received, Timestamp at, std::vector<TimedBytes>& out) {
  const std::uint32_t scanner = received.ip.source;
  for (int i = 0; i < k_flood_from_self + k_flood_from_others; ++i) {
    wire::Ipv4Packet p;
    p.ip.source = m_address;
    if (i >= k_flood_from_self && !m_neighbours.empty()) {
      p.ip.source = m_neighbours[m_rng.below(m_neighbours.size())];
    }
    p.ip.destination = scanner;
    p.ip.ttl = static_cast<std::uint8_t>(32 + m_rng.below(200));
    p.ip.id = static_cast<std::uint16_t>(m_rng.next());
    switch (m_rng.below(4)) {
    case 0:
    case 1: {
      p.ip.protocol = wire::k_ip_protocol_tcp;
      wire::TcpSegment tcp;
      tcp.source_port = static_cast<std::uint16_t>(m_rng.next());
      tcp.destination_port = static_cast<std::uint16_t>(m_rng.next());
      tcp.sequence = static_cast<std::uint32_t>(m_rng.next());
      tcp.acknowledgment = static_cast<std::uint32_t>(m_rng.next());
      tcp.flags = static_cast<std::uint8_t>(m_rng.next());
      tcp.window = static_cast<std::uint16_t>(m_rng.next());
      p.payload = tcp;
      break;
    }
    case 2: {
      p.ip.protocol = wire::k_ip_protocol_icmp;
      if (m_rng.below(2) == 0) {
        wire::IcmpMessage echo;
        echo.type = wire::k_icmp_echo_reply;
        echo.set_echo(static_cast<std::uint16_t>(m_rng.next()), static_cast<std::uint16_t>(m_rng.next()));
        echo.payload.assign(static_cast<std::size_t>(m_rng.below(64)), 0x5A);
        p.payload = echo;
      } else {
        wire::Ipv4Packet quoted;
        quoted.ip.source = scanner;
        quoted.ip.destination = m_address;
        quoted.ip.protocol = wire::k_ip_protocol_udp;
        wire::UdpDatagram udp;
        udp.source_port = static_cast<std::uint16_t>(m_rng.next());
        udp.destination_port = static_cast<std::uint16_t>(m_rng.next());
        udp.payload.assign(static_cast<std::size_t>(m_rng.below(300)), 0x43);
        quoted.payload = udp;
        p.payload = wire::make_icmp_error(3, static_cast<std::uint8_t>(m_rng.below(16)), wire::serialize(quoted),
                                          static_cast<std::size_t>(8 + m_rng.below(600)));
      }
      break;
    }
    default: {
      p.ip.protocol = wire::k_ip_protocol_udp;
      wire::UdpDatagram udp;
      udp.source_port = static_cast<std::uint16_t>(m_rng.next());
      udp.destination_port = static_cast<std::uint16_t>(m_rng.next());
      udp.payload.assign(static_cast<std::size_t>(m_rng.below(100)), 0x00);
      p.payload = udp;
      break;
    }
    }
    out.push_back(TimedBytes{later(at, static_cast<std::int64_t>(m_rng.below(2000))), wire::serialize(p)});
    ++m_stats.flood;
  }
}

void HostileHost::add_spoofed(const wire::Ipv4Packet& received, const wire::Ipv4Packet& answer, Timestamp at,
                              std::vector<TimedBytes>& out) {
  for (const std::uint32_t neighbour : m_neighbours) {
    wire::Ipv4Packet copy = answer;
    copy.ip.source = neighbour;
    out.push_back(TimedBytes{at, wire::serialize(copy)});
    ++m_stats.spoof;
  }
  // An unreachable from this host quoting the datagram as if it had gone to a neighbour.
  if (received.udp() != nullptr && !m_neighbours.empty()) {
    wire::Ipv4Packet quoted = received;
    quoted.ip.destination = m_neighbours.front();
    wire::Ipv4Packet error;
    error.ip.source = m_address;
    error.ip.destination = received.ip.source;
    error.ip.protocol = wire::k_ip_protocol_icmp;
    error.ip.ttl = 64;
    error.payload = wire::make_icmp_error(3, 3, wire::serialize(quoted), 548);
    out.push_back(TimedBytes{at, wire::serialize(error)});
    ++m_stats.spoof;
  }
}

std::vector<TimedBytes> HostileHost::around_answers(const wire::Ipv4Packet& received,
                                                    const std::vector<wire::Ipv4Packet>& honest, Timestamp now) {
  std::vector<TimedBytes> out;
  // Bad copies go out a little before the honest answer, so a scanner that took them would keep
  // them (the first answer wins).
  const Timestamp before = later(now, -1);
  for (const auto& answer : honest) {
    if (has(HostileKind::malformed)) { add_malformed(answer, before, out); }
    if (has(HostileKind::options)) { add_bogus_options(answer, before, out); }
    if (has(HostileKind::fragments)) { add_fragments(answer, before, out); }
    if (has(HostileKind::spoof)) { add_spoofed(received, answer, before, out); }
    const std::vector<std::uint8_t> bytes = wire::serialize(answer);
    if (has(HostileKind::duplicate)) {
      for (int i = 1; i <= 2; ++i) {
        out.push_back(TimedBytes{later(now, std::int64_t{100} * i), bytes});
        ++m_stats.duplicate;
      }
    }
    if (has(HostileKind::late)) {
      out.push_back(TimedBytes{later(now, 1'500'000), bytes});
      out.push_back(TimedBytes{later(now, 6'000'000), bytes});
      m_stats.late += 2;
    }
  }
  // Only packets the host answers set off a flood: the scanner's kernel answers unsolicited packets
  // with RSTs and unreachables, which would otherwise set off floods of their own, without end.
  if (has(HostileKind::flood) && !honest.empty()) { add_flood(received, now, out); }
  return out;
}

std::vector<TimedBytes> HostileHost::overheard(const wire::Ipv4Packet& probe_for_other,
                                               std::span<const std::uint8_t> probe_bytes,
                                               const std::vector<wire::Ipv4Packet>& own_answers, Timestamp now) {
  std::vector<TimedBytes> out;
  if (!has(HostileKind::spoof)) { return out; }
  for (const auto& answer : own_answers) {
    out.push_back(TimedBytes{later(now, -1), wire::serialize(answer)});
    ++m_stats.spoof;
  }
  if (probe_for_other.udp() != nullptr) {
    wire::Ipv4Packet error;
    error.ip.source = m_address;
    error.ip.destination = probe_for_other.ip.source;
    error.ip.protocol = wire::k_ip_protocol_icmp;
    error.ip.ttl = 64;
    error.payload = wire::make_icmp_error(3, 3, probe_bytes, 548);
    out.push_back(TimedBytes{later(now, -1), wire::serialize(error)});
    ++m_stats.spoof;
  }
  return out;
}

} // namespace stackprint::emulation
