#include "stackprint/emulation/retransmission.hpp"

#include <algorithm>

#include "stackprint/wire/tcp_segment.hpp"

namespace stackprint::emulation {

namespace {

bool names(const database::OsClass& c, std::string_view word) { return c.family == word || c.vendor == word; }

} // namespace

RetransmissionFamily retransmission_family(const database::Reference& reference) {
  const auto any = [&](std::string_view word) {
    return std::any_of(reference.classes.begin(), reference.classes.end(),
                       [&](const database::OsClass& c) { return names(c, word); });
  };
  if (any("Linux") || any("Android")) return RetransmissionFamily::linux_kernel;
  if (any("Windows")) return RetransmissionFamily::windows;
  if (any("lwIP")) return RetransmissionFamily::lwip;
  return RetransmissionFamily::other;
}

RetransmissionModel retransmission_model(RetransmissionFamily family) {
  using std::chrono::seconds;
  switch (family) {
  case RetransmissionFamily::linux_kernel: return {seconds{1}, 5, std::chrono::milliseconds{500}, true, true};
  case RetransmissionFamily::windows: return {seconds{3}, 2};
  case RetransmissionFamily::lwip:
    return {seconds{3}, 12, {}, false, false, true, seconds{20}, std::chrono::milliseconds{500}};
  case RetransmissionFamily::other: break;
  }
  return {seconds{3}, 3};
}

std::string_view to_string(RetransmissionFamily family) {
  switch (family) {
  case RetransmissionFamily::linux_kernel: return "linux";
  case RetransmissionFamily::windows: return "windows";
  case RetransmissionFamily::lwip: return "lwip";
  case RetransmissionFamily::other: break;
  }
  return "other";
}

RetransmissionQueue::RetransmissionQueue(RetransmissionModel model, std::size_t capacity)
    : m_model(model), m_capacity(std::max<std::size_t>(1, capacity)) {}

void RetransmissionQueue::add(const wire::Ipv4Packet& syn_ack, Timestamp sent_at,
                              std::optional<std::size_t> timestamp_offset) {
  const auto* tcp = syn_ack.tcp();
  if (tcp == nullptr || !tcp->has_flags(wire::k_tcp_syn) || !tcp->has_flags(wire::k_tcp_ack)) return;
  if (m_model.retries <= 0) return;
  ++m_stats.scheduled;
  const bool ticking = m_model.tick > std::chrono::microseconds::zero();
  if (ticking) start_timer(sent_at);
  Entry entry{syn_ack.ip.destination,
              tcp->destination_port,
              tcp->source_port,
              syn_ack,
              timestamp_offset,
              ticking ? tick_after(sent_at + m_model.first - m_model.tick) : sent_at + m_model.first,
              m_model.first,
              0,
              sent_at,
              std::nullopt,
              sent_at};
  const auto same = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) {
    return e.peer == entry.peer && e.peer_port == entry.peer_port && e.local_port == entry.local_port;
  });
  if (same != m_entries.end()) {
    ++m_stats.replaced;
    m_entries.erase(same);
  }
  while (m_entries.size() >= m_capacity) {
    ++m_stats.evicted;
    m_entries.pop_front();
  }
  m_entries.push_back(std::move(entry));
}

bool RetransmissionQueue::stop(std::uint32_t peer, std::uint16_t peer_port, std::uint16_t local_port, Timestamp now) {
  const auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) {
    return e.peer == peer && e.peer_port == peer_port && e.local_port == local_port;
  });
  if (it == m_entries.end()) return false;
  ++m_stats.stopped;
  erase(it, now);
  return true;
}

RepeatedSyn RetransmissionQueue::repeat(std::uint32_t peer, std::uint16_t peer_port, std::uint16_t local_port,
                                        std::uint32_t peer_sequence, Timestamp now) {
  const auto it = std::find_if(m_entries.begin(), m_entries.end(), [&](const Entry& e) {
    return e.peer == peer && e.peer_port == peer_port && e.local_port == local_port;
  });
  if (it == m_entries.end()) return {};
  if (const auto forget = forget_at(*it); forget && now >= *forget) { // forgotten already: a new attempt
    ++m_stats.expired;
    erase(it, *forget);
    return {};
  }
  const auto* tcp = it->packet.tcp();
  if (tcp == nullptr || tcp->acknowledgment != peer_sequence + 1) return {};
  it->last_syn = now;
  if (it->last_repeat && now - *it->last_repeat < m_model.repeat_gap) {
    ++m_stats.repeat_held;
    return {RepeatedSyn::Outcome::held_back, std::nullopt};
  }
  ++m_stats.repeated;
  it->last_repeat = now;
  if (m_model.repeat_restarts_timer) it->due = now + it->wait;
  if (m_model.repeat_counts_as_retry) {
    ++it->sent;
    it->wait *= 2;
    // A ticking stack finds every retry used on its next tick.
    if (m_model.tick > std::chrono::microseconds::zero() && it->sent >= m_model.retries) it->due = tick_after(now);
  }
  return {RepeatedSyn::Outcome::answered, DueSynAck{it->packet, it->timestamp_offset, it->sent, it->first_sent}};
}

std::vector<DueSynAck> RetransmissionQueue::take_due(Timestamp now) {
  const bool ticking = m_model.tick > std::chrono::microseconds::zero();
  std::vector<DueSynAck> out;
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    const auto forget = forget_at(*it);
    // On a tick lwIP sends a due copy before it drops a connection that has waited too long; without
    // a tick the connection is gone first.
    if (forget && *forget <= now && (ticking ? *forget < it->due : *forget <= it->due)) {
      ++m_stats.expired;
      it = erase(it, *forget);
      continue;
    }
    if (it->due > now) {
      ++it;
      continue;
    }
    if (it->sent >= m_model.retries) { // the hold after the last copy is over
      ++m_stats.exhausted;
      it = erase(it, it->due);
      continue;
    }
    ++it->sent;
    ++m_stats.retransmitted;
    out.push_back(DueSynAck{it->packet, it->timestamp_offset, it->sent, it->first_sent});
    const Timestamp fired = it->due;
    if (ticking && forget && *forget <= fired) { // the copy went out on the tick that drops it
      ++m_stats.expired;
      it = erase(it, fired);
      continue;
    }
    if (it->sent >= m_model.retries && !m_model.hold_after_last) {
      if (ticking) { // lwIP drops it on the next tick, when it finds every retry used
        it->due = tick_after(fired);
        ++it;
        continue;
      }
      ++m_stats.exhausted;
      it = erase(it, fired);
      continue;
    }
    it->wait *= 2;
    // A kernel re-arms its timer when it fires (a late call counts from then); a ticking stack counts
    // whole ticks from the one that fired.
    it->due = ticking ? tick_after(fired + it->wait - m_model.tick) : now + it->wait;
    ++it;
  }
  return out;
}

std::optional<Timestamp> RetransmissionQueue::next_due() const {
  std::optional<Timestamp> out;
  for (const Entry& e : m_entries) {
    const auto forget = forget_at(e);
    const Timestamp when = forget ? std::min(e.due, *forget) : e.due;
    if (!out || when < *out) out = when;
  }
  return out;
}

std::optional<Timestamp> RetransmissionQueue::forget_at(const Entry& e) const {
  if (m_model.forget_after_syn <= std::chrono::microseconds::zero()) return std::nullopt;
  const Timestamp silent_enough = e.last_syn + m_model.forget_after_syn;
  // lwIP drops it on the first tick that finds it silent for more than that many ticks.
  return m_model.tick > std::chrono::microseconds::zero() ? tick_after(silent_enough) : silent_enough;
}

namespace {

// floor(a / b) for b > 0, also for negative a.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

} // namespace

void RetransmissionQueue::start_timer(Timestamp now) {
  const std::int64_t half = m_model.tick.count() / 2;
  if (m_tick_phase && m_entries.empty() && m_emptied_at) {
    // The first call after the queue went empty found nothing pending and stopped the timer, unless
    // that call is still to come.
    const std::int64_t calls = floor_div((*m_emptied_at - *m_tick_phase).count(), half) + 1;
    const Timestamp last_call = *m_tick_phase + std::chrono::microseconds{calls * half};
    if (last_call <= now) {
      m_stopped_on_tick = calls % 2 == 0;
      m_tick_phase.reset();
    }
  }
  m_emptied_at.reset();
  if (!m_tick_phase) m_tick_phase = now + (m_stopped_on_tick ? m_model.tick : std::chrono::microseconds{half});
}

Timestamp RetransmissionQueue::tick_after(Timestamp t) const {
  const std::int64_t tick = m_model.tick.count();
  const Timestamp phase = m_tick_phase.value_or(t);
  return phase + std::chrono::microseconds{(floor_div((t - phase).count(), tick) + 1) * tick};
}

std::deque<RetransmissionQueue::Entry>::iterator RetransmissionQueue::erase(const std::deque<Entry>::iterator& it,
                                                                            Timestamp when) {
  auto next = m_entries.erase(it);
  if (m_entries.empty() && m_model.tick > std::chrono::microseconds::zero()) {
    m_emptied_at = m_emptied_at ? std::max(*m_emptied_at, when) : when;
  }
  return next;
}

} // namespace stackprint::emulation
