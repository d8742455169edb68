#include "stackprint/emulation/emulator_service.hpp"

#include <utility>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::emulation {

EmulatorService::EmulatorService(EmulatorLimits limits)
    : m_inbox(limits.inbox), m_pending(limits.max_pending_replies) {}

void EmulatorService::add_host(std::uint32_t address, EmulatedHost host) {
  m_hosts.insert_or_assign(address, std::move(host));
  m_wakeup_of.erase(address);
}

void EmulatorService::add_overhearer(std::uint32_t neighbour, std::uint32_t spy) {
  m_overhearers[neighbour].push_back(spy);
}

void EmulatorService::receive(StampedPacket packet) { (void)m_inbox.push(std::move(packet)); }

void EmulatorService::answer_next() {
  if (const auto next = m_inbox.pop()) { answer(next->read_at, next->bytes); }
}

// Queues the host's next retransmission time when it is earlier than the one already queued.
void EmulatorService::note_wakeup(std::uint32_t address, const EmulatedHost& host) {
  const auto next = host.responder.next_wakeup();
  if (!next) { return; }
  const auto queued = m_wakeup_of.find(address);
  if (queued != m_wakeup_of.end() && queued->second <= *next) { return; }
  m_wakeup_of[address] = *next;
  m_wakeups.push(Wakeup{*next, address});
}

void EmulatorService::answer(Timestamp read_at, const std::vector<std::uint8_t>& bytes) {
  const auto parsed = wire::parse_ipv4(bytes);
  if (!parsed) {
    ++m_counters.malformed;
    return;
  }
  const auto it = m_hosts.find(parsed->ip.destination);
  if (it == m_hosts.end()) {
    ++m_counters.unknown_destination;
    return;
  }
  EmulatedHost& host = it->second;
  if (host.impairer.filtered(*parsed, recognise_probe(*parsed))) {
    ++m_counters.filtered;
    return;
  }
  const auto replies = host.responder.respond(*parsed, read_at);
  if (host.hostile) {
    for (auto& extra : host.hostile->around_answers(*parsed, replies, read_at)) {
      (void)m_pending.push(extra.due, std::move(extra.bytes));
    }
  }
  note_wakeup(parsed->ip.destination, host);
  for (const auto& reply : replies) {
    if (host.icmp_errors && is_limited_icmp_error(reply) && !host.icmp_errors->allow(reply.ip.destination, read_at)) {
      ++m_counters.icmp_errors_limited;
      continue;
    }
    const auto due = host.impairer.schedule(reply, read_at);
    if (!due) { continue; }
    (void)m_pending.push(*due, wire::serialize(reply));
  }
  if (const auto heard = m_overhearers.find(parsed->ip.destination); heard != m_overhearers.end()) {
    for (const std::uint32_t spy_address : heard->second) {
      const auto spy_it = m_hosts.find(spy_address);
      if (spy_it == m_hosts.end() || !spy_it->second.hostile) { continue; }
      EmulatedHost& spy = spy_it->second;
      const auto answers = spy.responder.respond(spy.hostile->as_if_for_us(*parsed), read_at);
      for (auto& extra : spy.hostile->overheard(*parsed, bytes, answers, read_at)) {
        (void)m_pending.push(extra.due, std::move(extra.bytes));
      }
    }
  }
}

std::vector<std::vector<std::uint8_t>> EmulatorService::take_due(Timestamp now) {
  while (!m_wakeups.empty() && m_wakeups.top().due <= now) {
    const Wakeup wakeup = m_wakeups.top();
    m_wakeups.pop();
    const auto queued = m_wakeup_of.find(wakeup.address);
    if (queued == m_wakeup_of.end() || queued->second != wakeup.due) { continue; } // superseded
    m_wakeup_of.erase(queued);
    EmulatedHost& host = m_hosts.at(wakeup.address);
    for (const auto& copy : host.responder.on_tick(now)) {
      if (const auto due = host.impairer.schedule(copy, now)) { (void)m_pending.push(*due, wire::serialize(copy)); }
    }
    note_wakeup(wakeup.address, host);
  }
  std::vector<std::vector<std::uint8_t>> ready;
  while (const auto* reply = m_pending.due(now)) {
    ready.push_back(*reply);
    m_pending.pop();
  }
  return ready;
}

std::optional<Timestamp> EmulatorService::next_due() const {
  std::optional<Timestamp> next = m_pending.next_due();
  if (!m_wakeups.empty() && (!next || m_wakeups.top().due < *next)) { next = m_wakeups.top().due; }
  return next;
}

} // namespace stackprint::emulation
