#include "stackprint/emulation/self_check.hpp"

#include <algorithm>
#include <chrono>

#include "stackprint/base/random_source.hpp"
#include "stackprint/database/expression.hpp"
#include "stackprint/responses/round_analysis.hpp"
#include "stackprint/responses/round_replies.hpp"

namespace stackprint::emulation {

using probes::ProbeId;

fingerprint::Fingerprint scan_emulated_host(Responder& responder, Timestamp start, std::uint64_t seed) {
  return scan_emulated_round(responder, start, seed).fingerprint;
}

EmulatedRound scan_emulated_round(Responder& responder, Timestamp start, std::uint64_t seed,
                                  const std::bitset<probes::k_probe_count>& dropped) {
  SplitMix rng(mix_seed(seed, std::string_view("scan_emulated_host")));
  probes::ProbeContext ctx;
  ctx.source_address = 0x0A636401U; // 10.99.100.1, never used on a network here
  ctx.target_address = responder.options().address;
  const auto& open = responder.options().open_tcp_ports;
  ctx.open_tcp_port = open.empty() ? 80 : open.front();
  std::uint16_t closed = 1;
  while (std::find(open.begin(), open.end(), closed) != open.end()) ++closed;
  ctx.closed_tcp_port = closed;
  // The engine's ranges (base/random_source.hpp), drawn from this round's own generator.
  ctx.closed_udp_port = draws::fallback_closed_port(rng.next());
  const std::uint16_t magic = draws::magic_port(rng.next());
  ctx.tcp_port_base = static_cast<std::uint16_t>(magic + draws::port_base_offset(rng.next()));
  ctx.udp_port_base = static_cast<std::uint16_t>(magic + draws::port_base_offset(rng.next()));
  ctx.tcp_seq_base = draws::sequence_number(rng.next());
  ctx.tcp_ack = draws::sequence_number(rng.next());
  ctx.icmp_echo_id = draws::echo_id(rng.next());
  ctx.udp_ttl = draws::udp_probe_ttl(rng.next());

  responses::RoundCollector collector(ctx);
  auto send = [&](ProbeId id, Timestamp at) {
    const probes::PacketValues values{draws::probe_ip_id(rng.next()), draws::probe_ttl(rng.next())};
    const wire::Ipv4Packet probe = probes::build_probe(id, ctx, values);
    collector.on_probe_sent(id, at);
    // The reply leaves after a short, slightly varying processing time.
    const Timestamp reply_at = at + std::chrono::microseconds{150 + static_cast<std::int64_t>(rng.below(200))};
    if (dropped.test(static_cast<std::size_t>(id))) return;
    for (auto& reply : responder.respond(probe, at)) {
      std::vector<std::uint8_t> bytes = wire::serialize(reply);
      auto parsed = wire::parse_ipv4(bytes);
      if (!parsed) continue;
      collector.on_reply(responses::Reply{reply_at, std::move(*parsed), std::move(bytes), std::nullopt});
    }
  };
  // Nmap's send times wobble by a few hundred microseconds (docs/nmap-behaviour.md 4.6).
  Timestamp t = start;
  for (int i = 0; i < 6; ++i) {
    send(static_cast<ProbeId>(i), t);
    t += std::chrono::microseconds{100'000 + static_cast<std::int64_t>(rng.below(600))};
  }
  t -= std::chrono::microseconds{75'000};
  const bool seq1_answered = collector.replies().seq[0].has_value() || collector.replies().t[0].has_value();
  std::vector<ProbeId> tui{ProbeId::IE1, ProbeId::IE2, ProbeId::U1, ProbeId::ECN};
  if (!seq1_answered) tui.push_back(ProbeId::T1);
  for (const ProbeId id : {ProbeId::T2, ProbeId::T3, ProbeId::T4, ProbeId::T5, ProbeId::T6, ProbeId::T7})
    tui.push_back(id);
  for (const ProbeId id : tui) {
    send(id, t);
    t += std::chrono::microseconds{25'000 + static_cast<std::int64_t>(rng.below(300))};
  }
  responses::RoundConditions conditions;
  conditions.ports.open_tcp_port_available = true;
  conditions.ports.closed_tcp_port_from_port_scan = true;
  EmulatedRound round{ctx, collector.replies(), {}};
  round.fingerprint = responses::analyze_round(round.replies, ctx, conditions).fingerprint;
  return round;
}

std::vector<std::string> mismatched_attributes(const database::OsDb& db, std::size_t reference,
                                               const fingerprint::Fingerprint& subject) {
  std::vector<std::string> out;
  const auto test_count = static_cast<std::uint16_t>(db.tests().size()); // at most 255 (os_db)
  for (std::uint16_t t = 0; t < test_count; ++t) {
    if (db.line_of(reference, t) == database::OsDb::k_no_line) continue;
    const fingerprint::TestLine line = db.reference_test_line(reference, t);
    const fingerprint::TestLine* observed = subject.find(line.name);
    if (observed == nullptr) continue;
    for (const auto& attribute : line.attributes) {
      const std::string* value = observed->find(attribute.name);
      if (value == nullptr) continue;
      const auto slot = db.find_slot(t, attribute.name);
      if (slot && db.slots()[*slot].weight == 0) continue;
      const auto e = database::Expression::compile(attribute.value);
      if (!e.matches(database::observe(*value), database::Semantics::nmap_7_93)) {
        out.push_back(line.name + "." + attribute.name + "=" + *value + "(" + attribute.value + ")");
      }
    }
  }
  return out;
}

bool same_test_values(const database::OsDb& db, std::size_t a, std::size_t b) {
  const auto la = db.lines_of(a);
  const auto lb = db.lines_of(b);
  return std::equal(la.begin(), la.end(), lb.begin(), lb.end());
}

} // namespace stackprint::emulation
