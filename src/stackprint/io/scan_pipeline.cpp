#include "stackprint/io/scan_pipeline.hpp"

#include <algorithm>
#include <list>
#include <thread>
#include <unordered_map>

#include "stackprint/discovery/probe_packet.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::io {

std::optional<std::uint32_t> frame_host(const CapturedFrame& frame) {
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

struct Batch {
  discovery::PortDiscovery discovery;
  MonotonicTime deadline;
  std::uint64_t id = 0;
};

// Sends one packet, retrying while the socket buffer is full (briefly: the kernel drains it at
// line rate). A packet refused for its destination is counted and dropped: the stage that sent it
// times it out like a lost one.
Expected<void> send_packet(Transport& transport, std::span<const std::uint8_t> bytes, const ScanPipelineLimits& limits,
                           ScanPipelineStats& stats) {
  for (int attempt = 0;; ++attempt) {
    auto sent = transport.send(bytes);
    if (!sent) { return tl::unexpected(sent.error()); }
    if (*sent == SendOutcome::sent) {
      ++stats.packets_sent;
      stats.bytes_sent += bytes.size();
      return {};
    }
    if (*sent == SendOutcome::refused) {
      ++stats.packets_refused;
      return {};
    }
    if (attempt >= 100) { return fail("send buffer stayed full"); }
    ++stats.send_retries;
    std::this_thread::sleep_for(limits.send_retry_delay);
  }
}

} // namespace

Expected<ScanPipelineStats> run_scan_pipeline(Transport& transport, engine::OsScan& scan, const Clock& clock,
                                              const ScanPipelineHooks& hooks, const ScanPipelineLimits& limits) {
  ScanPipelineStats stats;
  std::list<Batch> batches;
  std::unordered_map<std::uint32_t, std::uint64_t> discovering; // host -> batch id
  bool targets_left = true;
  engine::RateLimiter& limiter = scan.rate_limiter();
  const auto in_flight = [&] { return discovering.size() + scan.hosts_in_flight(); };

  while (true) {
    if (limits.stop != nullptr && limits.stop->load()) {
      stats.interrupted = true;
      break;
    }
    MonotonicTime now = clock.monotonic_now();

    // Congestion control: its host limit bounds what enters, its rate the one limiter.
    if (limits.congestion != nullptr && limits.congestion->due(now)) {
      engine::CongestionSample sample;
      sample.lost_sends = scan.lost_sends();
      sample.answered_probes = scan.answered_probes();
      sample.capture_drops = transport.capture_drops();
      sample.packets_sent = stats.packets_sent;
      sample.hosts_in_flight = in_flight();
      if (const auto decision = limits.congestion->on_sample(sample, now)) {
        scan.set_rate(limits.congestion->rate(), now);
        if (decision->kind == engine::CongestionDecision::Kind::shrink) { ++stats.congestion_shrinks; }
        if (hooks.on_congestion) { hooks.on_congestion(*decision); }
      }
    }
    std::size_t max_in_flight = std::max<std::size_t>(1, limits.max_hosts_in_flight);
    if (limits.congestion != nullptr) {
      max_in_flight = std::min(max_in_flight, std::max<std::size_t>(1, limits.congestion->hosts_limit()));
    }

    // Fill the pipeline.
    while (targets_left && in_flight() < max_in_flight) {
      const std::size_t room = std::min(max_in_flight - in_flight(), std::max<std::size_t>(1, limits.batch_size));
      auto next = hooks.next_batch(room);
      if (!next) {
        targets_left = false;
        break;
      }
      const std::uint64_t id = ++stats.batches;
      for (const auto& host : next->hosts()) { discovering[host.address.value] = id; }
      batches.push_back(Batch{std::move(*next), now + limits.discovery_timeout, id});
    }
    stats.peak_hosts_in_flight = std::max(stats.peak_hosts_in_flight, in_flight());

    const std::uint64_t sent_before = stats.packets_sent + stats.packets_refused;
    // OS detection first: its SEQ probes must keep their 100 ms gaps.
    for (const auto& packet : scan.tick(now, clock.wall_now())) {
      if (auto sent = send_packet(transport, packet.bytes, limits, stats); !sent) {
        return tl::unexpected(sent.error());
      }
      // The probe's own send time: the tick's time can be a whole burst of send calls earlier, and
      // SP/ISR divide by SEQ send times. DIVERGENCE(nmap): Nmap reads its clock before building and
      // sending each probe; we read it when the send call has returned, which is closer to the
      // moment the packet left: measured on veth, the first send after a wake-up spent ~30 us (up
      // to 80) in the kernel before the packet reached the interface, the others ~3 us, and that
      // difference alone moved SP by up to 9 for the first host of each burst (HP iLO 3).
      scan.on_sent(packet, clock.monotonic_now(), clock.wall_now());
    }
    // Discovery: send what is due and the rate limiter allows, hand finished batches on.
    now = clock.monotonic_now();
    for (auto it = batches.begin(); it != batches.end();) {
      const auto actions = it->discovery.on_tick(now, limiter.available(now));
      limiter.take(actions.size(), now);
      for (const auto& action : actions) {
        const auto bytes = discovery::probe_packet(action, limits.source, limits.ttl);
        if (auto sent = send_packet(transport, bytes, limits, stats); !sent) { return tl::unexpected(sent.error()); }
      }
      const bool timed_out = !it->discovery.finished() && now >= it->deadline;
      if (!it->discovery.finished() && !timed_out) {
        ++it;
        continue;
      }
      for (const auto& host : it->discovery.hosts()) {
        const auto found = discovering.find(host.address.value);
        if (found != discovering.end() && found->second == it->id) { discovering.erase(found); }
      }
      hooks.on_batch_discovered(std::move(it->discovery), timed_out);
      it = batches.erase(it);
    }

    for (auto& host : scan.take_finished()) { hooks.on_host_done(std::move(host)); }
    if (hooks.on_idle) { hooks.on_idle(); }
    if (!targets_left && batches.empty() && scan.hosts_in_flight() == 0) { break; }

    // Wait for frames until the earliest wake-up of any stage, at least a millisecond when
    // nothing went out (a due wake-up that produced nothing must not spin).
    const MonotonicTime after = clock.monotonic_now();
    std::optional<MonotonicTime> wake = scan.next_wakeup();
    const auto token = limiter.next_token_at(after); // a discovery send waits for it
    for (const auto& batch : batches) {
      auto due = batch.discovery.next_wakeup();
      if (due && token) { due = std::max(*due, *token); }
      for (const auto& w : {due, std::optional<MonotonicTime>(batch.deadline)}) {
        if (w) { wake = wake ? std::min(*wake, *w) : *w; }
      }
    }
    const bool sent_any = stats.packets_sent + stats.packets_refused != sent_before;
    const MonotonicTime floor = sent_any ? after : now + std::chrono::milliseconds(1);
    const MonotonicTime deadline =
        std::min(std::max(wake.value_or(after + limits.max_wait), floor), after + limits.max_wait);
    auto frames = transport.wait(deadline);
    if (!frames) { return tl::unexpected(frames.error()); }
    stats.frames_received += frames->size();
    for (const auto& frame : *frames) { stats.bytes_received += frame.ip_packet.size(); }
    const MonotonicTime received = clock.monotonic_now();
    for (const auto& frame : *frames) {
      const auto host = frame_host(frame);
      const auto owner = host ? discovering.find(*host) : discovering.end();
      if (owner == discovering.end()) {
        scan.on_frame(frame, received);
        continue;
      }
      const auto batch =
          std::find_if(batches.begin(), batches.end(), [&](const Batch& b) { return b.id == owner->second; });
      if (batch != batches.end()) { batch->discovery.on_frame(frame, received); }
    }
  }
  for (auto& host : scan.take_finished()) { hooks.on_host_done(std::move(host)); }
  return stats;
}

} // namespace stackprint::io
