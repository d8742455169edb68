#include "stackprint/session/scan_session.hpp"

#include <algorithm>
#include <utility>

#include "stackprint/discovery/probe_packet.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::session {
namespace {

std::int64_t wall_seconds(Timestamp wall) {
  return std::chrono::duration_cast<std::chrono::seconds>(wall.time_since_epoch()).count();
}

} // namespace

TargetFeed feed_targets(targets::TargetStream& stream, std::vector<targets::Target> first) {
  return [&stream, first = std::move(first)]() mutable -> std::optional<Expected<targets::Target>> {
    if (!first.empty()) {
      targets::Target target = first.back();
      first.pop_back();
      return Expected<targets::Target>(target);
    }
    return stream.next();
  };
}

engine::RoundJudge round_judge(scoring::Matcher& matcher) {
  return [&matcher](const fingerprint::Fingerprint& fp) {
    const auto result = matcher.match(fp);
    if (result.outcome == scoring::Outcome::success && result.perfect_matches > 0) {
      return engine::RoundVerdict::perfect_match;
    }
    if (result.outcome == scoring::Outcome::success) {
      // Would a listed reference match perfectly but for the values a new SEQ train redraws?
      const fingerprint::Fingerprint untimed = engine::without_timing_values(fp);
      for (const auto& listed : result.matches) {
        if (matcher.compare(untimed, listed.reference).accuracy() >= 1.0) {
          return engine::RoundVerdict::missed_only_on_timing;
        }
      }
    }
    return engine::RoundVerdict::no_perfect_match;
  };
}

std::optional<std::uint32_t> frame_host(const CapturedFrame& frame) {
  if (frame.arp_sender) { return frame.arp_sender; }
  const auto& bytes = frame.ip_packet;
  if (bytes.size() < 20 || (bytes[0] >> 4) != 4) { return std::nullopt; }
  const std::uint32_t source = std::uint32_t{bytes[12]} << 24 | std::uint32_t{bytes[13]} << 16 |
                               std::uint32_t{bytes[14]} << 8 | std::uint32_t{bytes[15]};
  if (bytes[9] != wire::k_ip_protocol_icmp) { return source; }
  const auto packet = wire::parse_ipv4(bytes);
  if (!packet) { return std::nullopt; }
  const wire::IcmpMessage* icmp = packet->icmp();
  if (icmp == nullptr ||
      (icmp->type != wire::k_icmp_destination_unreachable && icmp->type != wire::k_icmp_time_exceeded)) {
    return source;
  }
  const auto quoted = icmp->quoted_packet();
  return quoted ? quoted->ip.destination : source;
}

namespace {

// The OS scan's seed, two draws from the session's generator before any batch draws its values.
std::uint64_t os_scan_seed(RandomSource& random) {
  const std::uint64_t low = random.next_u32();
  const std::uint64_t high = random.next_u32();
  return low | (high << 32);
}

} // namespace

ScanSession::ScanSession(ScanSessionConfig config, TargetFeed feed, engine::RoundJudge judge)
    : m_config(std::move(config)), m_feed(std::move(feed)), m_random(m_config.seed),
      m_scan(m_config.os, std::move(judge), os_scan_seed(m_random), m_config.rate) {
  if (m_config.congestion) { m_congestion.emplace(*m_config.congestion); }
}

std::size_t ScanSession::max_in_flight() const {
  std::size_t limit = std::max<std::size_t>(1, m_config.max_hosts_in_flight);
  if (m_congestion) { limit = std::min(limit, std::max<std::size_t>(1, m_congestion->hosts_limit())); }
  return limit;
}

void ScanSession::sample_congestion(Instant now) {
  if (!m_congestion || !m_congestion->due(now)) { return; }
  engine::CongestionSample sample;
  // Port discovery's probes count as OS detection's do: on a path that overflows, the bursts of
  // SYNs of new batches are what is lost first, and hosts lost there never reach OS detection.
  sample.lost_sends = m_scan.lost_sends() + m_discovery_lost_sends;
  sample.answered_probes = m_scan.answered_probes() + m_discovery_answered;
  for (const auto& batch : m_batches) {
    sample.lost_sends += batch.discovery.lost_sends();
    sample.answered_probes += batch.discovery.answered_probes();
  }
  sample.capture_drops = m_capture_drops;
  sample.packets_sent = m_totals.packets_sent;
  sample.hosts_in_flight = hosts_in_flight_count();
  if (const auto decision = m_congestion->on_sample(sample, now)) {
    m_scan.set_rate(m_congestion->rate(), now);
    if (decision->kind == engine::CongestionDecision::Kind::shrink) { ++m_totals.congestion_shrinks; }
    m_events.emplace_back(CongestionChanged{*decision});
  }
}

bool ScanSession::start_batch(std::size_t room, Instant now, Timestamp wall_now) {
  std::vector<targets::Target> batch;
  while (batch.size() < room) {
    auto next = m_feed();
    if (!next) { break; }
    if (!*next) {
      ++m_totals.bad_targets;
      m_events.emplace_back(BadTarget{next->error().message});
      continue;
    }
    batch.push_back(next->value());
  }
  if (batch.empty()) { return false; }
  const std::uint64_t id = ++m_totals.batches;
  const std::int64_t start_s = wall_seconds(wall_now);
  std::vector<Ipv4Address> addresses;
  addresses.reserve(batch.size());
  for (const auto& target : batch) {
    addresses.push_back(target.address);
    m_discovering[target.address.value] = Discovering{target, start_s, id};
  }
  m_hosts_added = true;
  discovery::DiscoveryConfig discovery_config;
  discovery_config.ports = m_config.discovery_ports;
  discovery_config.source_address = m_config.source;
  discovery_config.host_send_gap = m_config.discovery_host_gap;
  discovery_config.tcp_source_port = draws::discovery_source_port(m_random);
  discovery_config.udp_source_port = draws::discovery_source_port(m_random);
  discovery_config.sequence_secret = m_random.next_u32();
  discovery_config.random_tcp_draw = m_random.next_u32();
  discovery_config.random_udp_draw = m_random.next_u32();
  m_batches.push_back(
      Batch{discovery::PortDiscovery(discovery_config, addresses), now + m_config.discovery_timeout, id});
  return true;
}

void ScanSession::hand_over(const discovery::PortDiscovery& batch, const discovery::HostDiscovery& host, Instant now,
                            Timestamp wall_now) {
  const auto entry = m_discovering.find(host.address.value);
  if (entry == m_discovering.end()) { return; }
  HostContext context;
  context.target = entry->second.target;
  context.discovery = host;
  context.direct = m_config.direct;
  context.udp_port_scan = m_config.udp_port_scan;
  context.start_s = entry->second.start_s;
  m_discovering.erase(entry);
  if (host.status != discovery::HostStatus::up) {
    ++m_totals.hosts_down;
    m_events.emplace_back(HostDown{std::move(context)});
    return;
  }
  ++m_totals.hosts_up;
  engine::HostTarget target;
  target.address = host.address.value;
  target.open_tcp_port = host.selected.open_tcp;
  target.closed_tcp_port = host.selected.closed_tcp;
  target.closed_tcp_known = host.selected.closed_tcp_known;
  target.closed_udp_port = host.selected.closed_udp;
  target.closed_udp_known = host.selected.closed_udp_known;
  target.initial_timeout = host.timeout;
  target.port_scan_source_port = batch.config().tcp_source_port;
  target.udp_port_scanned = m_config.udp_port_scan;
  // Nmap's not-ideal reasons that port discovery knows before the first round
  // (docs/nmap-behaviour.md 5.2): they cap the tries. The scan delay's is the engine's own.
  const bool ports_missing = !host.selected.open_tcp || !host.selected.closed_tcp_known;
  target.conditions_not_ideal = ports_missing;
  if (!m_config.os_detection || (m_config.osscan_limit && ports_missing)) {
    m_events.emplace_back(HostSkipped{std::move(context)});
    return;
  }
  if (!m_scanning.emplace(target.address, std::move(context)).second) { return; } // a repeated target
  m_scan.add_host(target, now, wall_now);
}

std::vector<SessionPacket> ScanSession::on_tick(Instant now, Timestamp wall_now) {
  m_last_tick = now;
  sample_congestion(now);
  // Fill the session up to the hosts-in-flight bound.
  const std::size_t limit = max_in_flight();
  while (m_targets_left && hosts_in_flight_count() < limit) {
    const std::size_t room = std::min(limit - hosts_in_flight_count(), std::max<std::size_t>(1, m_config.batch_size));
    if (!start_batch(room, now, wall_now)) { m_targets_left = false; }
  }
  m_totals.peak_hosts_in_flight = std::max(m_totals.peak_hosts_in_flight, hosts_in_flight_count());

  std::vector<SessionPacket> out;
  // Under a rate limit, SEQ trains first (their probes must keep their 100 ms gaps), then port
  // discovery, then the other OS probes. Discovery starts each host's chain of waits: a host with
  // a silent port is done only after that port's re-sends (seconds, port_discovery.hpp), and its
  // OS detection only starts then. Starved of tokens by the OS probes of hosts already handed
  // over, such hosts would start last and finish last, with the rate unused while they wait
  // (docs/congestion.md). The other OS probes lose nothing by waiting: no test compares their
  // send times, and their timeouts run from their sends. Unlimited, every probe goes in this
  // turn's burst anyway: OS detection in one pass keeps each host's place in the burst.
  const bool limited = m_scan.rate_limiter().limited();
  const auto first = limited ? engine::OsScan::Serve::seq_trains : engine::OsScan::Serve::all;
  for (auto& packet : m_scan.tick(now, wall_now, first)) { out.push_back(SessionPacket{std::move(packet), true}); }
  // Discovery: what is due and the rate limiter allows; each host goes on once its own is done.
  engine::RateLimiter& limiter = m_scan.rate_limiter();
  for (auto it = m_batches.begin(); it != m_batches.end();) {
    const auto actions = it->discovery.on_tick(now, limiter.available(now));
    limiter.take(actions.size(), now);
    for (const auto& action : actions) {
      SessionPacket packet;
      packet.packet.bytes = discovery::probe_packet(action, m_config.source, m_config.discovery_ttl);
      out.push_back(std::move(packet));
    }
    // A host goes on to OS detection as soon as its own discovery is done: a batch waits for its
    // slowest host (a silent port is re-sent for seconds, port_discovery.hpp), and its other hosts
    // would wait with it while the rate they could use goes unused.
    for (const std::size_t index : it->discovery.take_completed()) {
      hand_over(it->discovery, it->discovery.hosts()[index], now, wall_now);
    }
    const bool timed_out = !it->discovery.finished() && now >= it->deadline;
    if (!it->discovery.finished() && !timed_out) {
      ++it;
      continue;
    }
    // Hosts still probing when the batch timed out are down.
    for (const auto& host : it->discovery.hosts()) { hand_over(it->discovery, host, now, wall_now); }
    m_totals.discovery_ignored += it->discovery.ignored_frames();
    m_discovery_lost_sends += it->discovery.lost_sends();
    m_discovery_answered += it->discovery.answered_probes();
    it = m_batches.erase(it);
  }
  if (limited) {
    for (auto& packet : m_scan.tick(now, wall_now)) { out.push_back(SessionPacket{std::move(packet), true}); }
  }
  for (auto& host : m_scan.take_finished()) {
    const auto context = m_scanning.find(host.target().address);
    if (context == m_scanning.end()) { continue; }
    for (const auto& round : host.rounds()) {
      m_totals.unmatched += round.replies.unmatched_packets;
      m_totals.duplicates += round.replies.duplicate_packets;
    }
    ++m_totals.hosts_fingerprinted;
    m_events.emplace_back(HostScanned{std::move(context->second), std::move(host)});
    m_scanning.erase(context);
  }
  return out;
}

void ScanSession::on_sent(const SessionPacket& packet, Instant sent_at, Timestamp wall_sent_at) {
  ++m_totals.packets_sent;
  if (packet.os_probe) { m_scan.on_sent(packet.packet, sent_at, wall_sent_at); }
}

void ScanSession::on_frame(const CapturedFrame& frame, Instant received_at) {
  const auto host = frame_host(frame);
  const auto owner = host ? m_discovering.find(*host) : m_discovering.end();
  if (owner == m_discovering.end()) {
    // ARP only matters to port discovery; OS detection reads IPv4 alone.
    if (!frame.arp_sender) { m_scan.on_frame(frame, received_at); }
    return;
  }
  const auto batch =
      std::find_if(m_batches.begin(), m_batches.end(), [&](const Batch& b) { return b.id == owner->second.batch; });
  if (batch != m_batches.end()) { batch->discovery.on_frame(frame, received_at); }
}

std::optional<Instant> ScanSession::next_wakeup() const {
  if (finished()) { return std::nullopt; }
  std::optional<Instant> wake = m_scan.next_wakeup();
  // A discovery send waits for the rate limiter's next token.
  const std::optional<Instant> token = m_last_tick ? m_scan.rate_limiter().next_token_at(*m_last_tick) : std::nullopt;
  for (const auto& batch : m_batches) {
    auto due = batch.discovery.next_wakeup();
    if (due && token) { due = std::max(*due, *token); }
    for (const auto& w : {due, std::optional<Instant>(batch.deadline)}) {
      if (w) { wake = wake ? std::min(*wake, *w) : *w; }
    }
  }
  // New targets wait for room, which only a tick's hand-over or congestion decision makes.
  return wake;
}

bool ScanSession::finished() const { return !m_targets_left && m_batches.empty() && m_scan.hosts_in_flight() == 0; }

std::vector<SessionEvent> ScanSession::take_events() {
  std::vector<SessionEvent> events;
  events.swap(m_events);
  return events;
}

bool ScanSession::take_hosts_added() { return std::exchange(m_hosts_added, false); }

std::vector<Ipv4Address> ScanSession::hosts_in_flight(std::size_t limit) const {
  std::vector<Ipv4Address> hosts;
  if (hosts_in_flight_count() > limit) { return hosts; }
  for (const auto& [address, entry] : m_discovering) { hosts.push_back(entry.target.address); }
  for (const auto& [address, context] : m_scanning) { hosts.push_back(context.target.address); }
  return hosts;
}

} // namespace stackprint::session
