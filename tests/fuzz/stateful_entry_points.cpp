// The stateful fuzz entry points (run_os_scan, run_responder; entry_points.hpp): a sequence of
// steps decoded from the input drives a state machine that keeps state from one packet to the next.
//
// Input format (both targets): a few header bytes choose the configuration, then every step is one
// opcode byte followed by its operands. Reading past the end gives zeros, so every byte string is a
// valid program; the number of steps is bounded, so every input ends quickly.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "entry_points.hpp"
#include "fuzz_support.hpp"
#include "stackprint/base/checksum.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/engine/os_scan.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/responses/round_analysis.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::fuzz {
namespace {

using namespace std::chrono_literals;
using engine::Duration;
using engine::Instant;

// Reads the fuzz input front to back; past the end every read gives zero bytes.
class Input {
public:
  explicit Input(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}
  [[nodiscard]] bool empty() const { return m_at >= m_bytes.size(); }
  std::uint8_t u8() { return empty() ? 0 : m_bytes[m_at++]; }
  std::uint16_t u16() { return static_cast<std::uint16_t>((u8() << 8U) | u8()); }
  std::uint32_t u32() { return (static_cast<std::uint32_t>(u16()) << 16U) | u16(); }
  std::vector<std::uint8_t> take(std::size_t count) {
    const std::size_t n = std::min(count, m_bytes.size() - std::min(m_at, m_bytes.size()));
    std::vector<std::uint8_t> out(m_bytes.begin() + static_cast<std::ptrdiff_t>(m_at),
                                  m_bytes.begin() + static_cast<std::ptrdiff_t>(m_at + n));
    m_at += n;
    return out;
  }

private:
  std::span<const std::uint8_t> m_bytes;
  std::size_t m_at = 0;
};

// Personalities to emulate: hand-written references (ours, not derived from Nmap's database) that
// between them reach every generator kind and every odd reply the Personality can describe.
constexpr std::string_view k_personality_db_references = R"(Fingerprint Fuzz Linux-like
Class Fuzz | FuzzOS | 1.X | general purpose
SEQ(SP=F0-10A%GCD=1-6%ISR=FA-10E%TI=Z%CI=Z%II=I%TS=A)
OPS(O1=M5B4ST11NW7%O2=M5B4ST11NW7%O3=M5B4NNT11NW7%O4=M5B4ST11NW7%O5=M5B4ST11NW7%O6=M5B4ST11)
WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=FE88)
ECN(R=Y%DF=Y%T=3B-45%TG=40%W=FAF0%O=M5B4NNSNW7%CC=Y%Q=)
T1(R=Y%DF=Y%T=3B-45%TG=40%S=O%A=S+%F=AS%RD=0%Q=)
T2(R=N)
T3(R=N)
T4(R=Y%DF=Y%T=3B-45%TG=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)
T5(R=Y%DF=Y%T=3B-45%TG=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
T6(R=Y%DF=Y%T=3B-45%TG=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)
T7(R=Y%DF=Y%T=3B-45%TG=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
U1(R=Y%DF=N%T=3B-45%TG=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)
IE(R=Y%DFI=N%T=3B-45%TG=40%CD=S)

Fingerprint Fuzz Windows-like
Class Fuzz | FuzzWin | 2.X | general purpose
SEQ(SP=FA-104%GCD=1-6%ISR=100-10A%TI=I%CI=I%II=I%SS=S%TS=U)
OPS(O1=M5B4NW8NNS%O2=M5B4NW8NNS%O3=M5B4NW8%O4=M5B4NW8NNS%O5=M5B4NW8NNS%O6=M5B4NNS)
WIN(W1=FFFF%W2=FFFF%W3=FFFF%W4=FFFF%W5=FFFF%W6=FF70)
ECN(R=Y%DF=Y%T=7B-85%TG=80%W=FFFF%O=M5B4NW8NNS%CC=N%Q=)
T1(R=Y%DF=Y%T=7B-85%TG=80%S=O%A=S+%F=AS%RD=0%Q=)
T2(R=Y%DF=Y%T=7B-85%TG=80%W=0%S=Z%A=S%F=AR%O=%RD=0%Q=)
T3(R=Y%DF=Y%T=7B-85%TG=80%W=0%S=Z%A=O%F=AR%O=%RD=0%Q=)
T4(R=Y%DF=Y%T=7B-85%TG=80%W=0%S=A%A=O%F=R%O=%RD=0%Q=)
T5(R=Y%DF=Y%T=7B-85%TG=80%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
T6(R=Y%DF=Y%T=7B-85%TG=80%W=0%S=A%A=O%F=R%O=%RD=0%Q=)
T7(R=N)
U1(R=N)
IE(R=Y%DFI=N%T=7B-85%TG=80%CD=Z)

Fingerprint Fuzz Embedded oddities
Class Fuzz | FuzzBox | 3.X | printer
SEQ(SP=0-5%GCD=FA00|1F400%ISR=90-9A%TI=BI%CI=RD%II=RI%SS=O%TS=1)
OPS(O1=M218%O2=M218%O3=M218%O4=M218%O5=M218%O6=M218)
WIN(W1=2000%W2=2000%W3=2000%W4=2000%W5=2000%W6=2000)
ECN(R=N)
T1(R=Y%DF=N%T=FA-104%TG=FF%S=O%A=S+%F=AS%RD=0%Q=RU)
T2(R=Y%DF=N%T=FA-104%TG=FF%W=0%S=Z%A=S+%F=AR%O=%RD=E7A1B2C3%Q=U)
T3(R=Y%DF=N%T=FA-104%TG=FF%W=400%S=O%A=Z%F=AS%O=M218%RD=0%Q=)
T4(R=Y%DF=N%T=FA-104%TG=FF%W=400%S=A%A=Z%F=R%O=%RD=0%Q=R)
T5(R=Y%DF=N%T=FA-104%TG=FF%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
T6(R=Y%DF=N%T=FA-104%TG=FF%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)
T7(R=Y%DF=N%T=FA-104%TG=FF%W=0%S=Z%A=S%F=AR%O=%RD=0%Q=)
U1(R=Y%DF=Y%T=FA-104%TG=FF%IPL=38%UN=5A%RIPL=134%RID=1234%RIPCK=I%RUCK=0%RUD=I)
IE(R=Y%DFI=S%T=FA-104%TG=FF%CD=O)

Fingerprint Fuzz Constant counters
Class Fuzz | FuzzConst | 4.X | router
SEQ(SP=0%GCD=0%ISR=0%TI=1F4%CI=1F4%II=1F4%SS=S%TS=0)
OPS(O1=M5B4WANNT00%O2=M5B4WANNT00%O3=M5B4WANNT00%O4=M5B4WANNT00%O5=M5B4WANNT00%O6=M5B4NNT00)
WIN(W1=1000%W2=1000%W3=1000%W4=1000%W5=1000%W6=1000)
ECN(R=Y%DF=N%T=1B-25%TG=20%W=1000%O=M5B4WANNS%CC=S%Q=)
T1(R=Y%DF=N%T=1B-25%TG=20%S=A+%A=S+%F=AS%RD=0%Q=)
T2(R=N)
T3(R=N)
T4(R=Y%DF=N%T=1B-25%TG=20%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)
T5(R=Y%DF=N%T=1B-25%TG=20%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
T6(R=N)
T7(R=N)
U1(R=Y%DF=N%T=1B-25%TG=20%IPL=70%UN=0%RIPL=G%RID=G%RIPCK=Z%RUCK=G%RUD=G)
IE(R=Y%DFI=Y%T=1B-25%TG=20%CD=1F)
)";

const database::OsDb& personality_db() {
  static const database::OsDb db = [] {
    auto parsed = database::parse_os_db(
        database_text("stateful fuzzing personalities (ours)", k_personality_db_references), "fuzz-personalities.db");
    require(parsed.has_value());
    return std::move(*parsed);
  }();
  return db;
}

// Personalities drawn once per (reference, seed) and kept: drawing one runs the SEQ checks.
constexpr std::uint8_t k_personality_seeds = 4;
const emulation::Personality& personality(std::uint8_t choice) {
  static std::map<std::uint8_t, emulation::Personality> cache;
  const std::size_t references = personality_db().references().size();
  const auto key = static_cast<std::uint8_t>(choice % (references * k_personality_seeds));
  auto found = cache.find(key);
  if (found == cache.end()) {
    auto drawn = emulation::make_personality(personality_db(), key % references, key / references);
    require(drawn.has_value());
    found = cache.emplace(key, std::move(*drawn)).first;
  }
  return found->second;
}

constexpr std::uint32_t k_scanner = 0x0A000064;      // 10.0.0.100
constexpr std::uint32_t k_first_target = 0x0A000001; // 10.0.0.1
constexpr std::size_t k_max_targets = 8;
constexpr int k_max_steps = 2048;
constexpr Instant k_start = Instant{} + std::chrono::hours(1);
constexpr Timestamp k_wall_start = Timestamp{} + std::chrono::seconds(1'700'000'000);

// Lightly structured raw frame: the input's bytes, optionally (op bit 0x10) given an IPv4 header
// start, the addresses of the two parties, its own length and a correct header checksum, so that the
// checks after the parse are reached.
std::vector<std::uint8_t> raw_frame(Input& in, std::uint8_t op, std::uint32_t source, std::uint32_t destination) {
  std::vector<std::uint8_t> bytes = in.take(in.u8());
  if ((op & 0x10U) != 0 && bytes.size() >= 20) {
    if ((bytes[0] >> 4U) != 4) bytes[0] = 0x45;
    const std::size_t header = std::min<std::size_t>(bytes.size(), (bytes[0] & 0x0FU) * 4U);
    for (int i = 0; i < 4; ++i) {
      bytes[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(source >> (24U - 8U * i));
      bytes[16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(destination >> (24U - 8U * i));
    }
    const auto length = static_cast<std::uint16_t>(bytes.size());
    bytes[2] = static_cast<std::uint8_t>(length >> 8U);
    bytes[3] = static_cast<std::uint8_t>(length);
    bytes[10] = 0;
    bytes[11] = 0;
    if (header >= 20) {
      const std::uint16_t sum = internet_checksum(std::span<const std::uint8_t>(bytes.data(), header));
      bytes[10] = static_cast<std::uint8_t>(sum >> 8U);
      bytes[11] = static_cast<std::uint8_t>(sum);
    }
  }
  return bytes;
}

// Flips up to three input-chosen bytes of a packet.
void mutate(Input& in, std::vector<std::uint8_t>& bytes) {
  const int flips = in.u8() % 4;
  for (int i = 0; i < flips && !bytes.empty(); ++i) {
    const std::size_t at = in.u16() % bytes.size();
    bytes[at] ^= in.u8();
  }
}

void check_outgoing(const engine::OutgoingPacket& packet) {
  auto parsed = wire::parse_ipv4(packet.bytes);
  require(parsed.has_value());
  require(parsed->ip.source == k_scanner);
  require(parsed->ip.destination == packet.destination);
}

void report_finished(engine::HostOsScan& host) {
  require(host.done());
  const responses::RunFingerprint run = responses::fingerprint_run(host.round_inputs(), host.run_facts());
  (void)fingerprint::format_wrapped(run.merged);
}

} // namespace

void run_os_scan(std::span<const std::uint8_t> bytes) {
  Input in(bytes);
  const std::uint8_t flags = in.u8();
  engine::OsScanConfig config;
  config.source_address = k_scanner;
  config.max_os_tries = 1 + in.u8() % 5;
  config.window = 1 + in.u8() % 10;
  config.resend_only_missing = (flags & 0x01U) == 0;
  config.adaptive_sends = (flags & 0x02U) == 0;
  config.stop_when_stable = (flags & 0x04U) == 0;
  config.stop_when_complete = (flags & 0x08U) == 0;
  config.retry_timing_misses = (flags & 0x10U) == 0;
  config.icmp_retry_spacing = (flags & 0x20U) == 0 ? Duration(1s) : Duration(0s);
  engine::RateLimit rate;
  if ((flags & 0x40U) != 0) {
    rate.packets_per_second = 1.0 + 10.0 * in.u8();
    rate.burst = 1.0 + in.u8() % 16;
  }
  // The judge: the matcher on the personality database (as scan does), or verdicts from the input.
  const std::uint8_t judge_script = in.u8();
  int judged = 0;
  scoring::Matcher matcher(personality_db());
  const engine::RoundJudge judge = [&](const fingerprint::Fingerprint& round) {
    ++judged;
    if ((judge_script & 0x80U) == 0) {
      const auto result = matcher.match(round);
      if (result.outcome == scoring::Outcome::success && result.perfect_matches > 0) {
        return engine::RoundVerdict::perfect_match;
      }
      const fingerprint::Fingerprint untimed = engine::without_timing_values(round);
      for (const auto& listed : result.matches) {
        if (matcher.compare(untimed, listed.reference).accuracy() >= 1.0) {
          return engine::RoundVerdict::missed_only_on_timing;
        }
      }
      return engine::RoundVerdict::no_perfect_match;
    }
    return static_cast<engine::RoundVerdict>(((judge_script >> ((judged % 3) * 2)) & 0x3U) % 3);
  };
  engine::OsScan scan(config, judge, in.u16(), rate);

  Instant now = k_start;
  auto wall = [&] { return k_wall_start + std::chrono::duration_cast<std::chrono::microseconds>(now - k_start); };

  // The targets: each answered by an emulated personality when the input asks for its reply.
  std::vector<emulation::Responder> responders;
  std::size_t added = 0;
  auto add_host = [&](std::uint8_t shape) {
    if (added >= k_max_targets) return;
    engine::HostTarget target;
    target.address = k_first_target + static_cast<std::uint32_t>(added);
    if ((shape & 0x01U) == 0) target.open_tcp_port = 80;
    target.closed_tcp_port = 22;
    target.closed_tcp_known = (shape & 0x02U) == 0;
    target.closed_udp_port = 40125;
    target.closed_udp_known = (shape & 0x04U) == 0;
    target.conditions_not_ideal = (shape & 0x08U) != 0;
    target.initial_timeout = std::chrono::milliseconds(20 + 8 * in.u8());
    emulation::ResponderOptions options;
    options.address = target.address;
    options.seed = shape;
    responders.emplace_back(personality(in.u8()), options);
    scan.add_host(target, now, wall());
    ++added;
  };
  const int initial_hosts = 1 + in.u8() % 3;
  for (int i = 0; i < initial_hosts; ++i) add_host(in.u8());

  std::deque<engine::OutgoingPacket> sent; // recent probes, for replies
  std::deque<CapturedFrame> delivered;     // recent replies, for duplicates and late copies
  constexpr std::size_t k_remembered = 64;
  auto deliver = [&](std::vector<std::uint8_t> frame) {
    CapturedFrame captured{wall(), std::move(frame), std::nullopt};
    scan.on_frame(captured, now);
    delivered.push_back(std::move(captured));
    if (delivered.size() > k_remembered) delivered.pop_front();
  };
  auto tick = [&] {
    for (engine::OutgoingPacket& packet : scan.tick(now, wall())) {
      check_outgoing(packet);
      scan.on_sent(packet, now, wall());
      sent.push_back(std::move(packet));
      if (sent.size() > k_remembered) sent.pop_front();
    }
    for (engine::HostOsScan& host : scan.take_finished()) report_finished(host);
    require(scan.hosts_in_flight() <= added);
  };

  for (int step = 0; step < k_max_steps && !in.empty(); ++step) {
    const std::uint8_t op = in.u8();
    switch (op % 8) {
    case 0: // time passes by a few milliseconds
      now += std::chrono::milliseconds(in.u8());
      tick();
      break;
    case 1: // time passes to the engine's next wake-up, plus a little
      if (const auto wakeup = scan.next_wakeup(); wakeup && *wakeup > now) now = *wakeup;
      now += std::chrono::milliseconds(in.u8() % 16);
      tick();
      break;
    case 2: // a long pause (a timed-out probe, a slow host)
      now += std::chrono::milliseconds(100 * (1 + in.u8() % 32));
      tick();
      break;
    case 3: { // a raw frame from a target
      const std::uint32_t source = k_first_target + in.u8() % k_max_targets;
      deliver(raw_frame(in, op, source, k_scanner));
      break;
    }
    case 4:   // the target's own answer to a recent probe, possibly damaged
    case 5: { // (twice as likely: that is what moves the rounds forward)
      if (sent.empty()) break;
      const engine::OutgoingPacket& probe = sent[in.u8() % sent.size()];
      const std::size_t index = probe.destination - k_first_target;
      if (index >= responders.size()) break;
      const bool damage = (op & 0x80U) != 0;
      for (std::vector<std::uint8_t>& reply : responders[index].respond_to_bytes(probe.bytes, wall())) {
        if (damage) mutate(in, reply);
        deliver(std::move(reply));
      }
      break;
    }
    case 6: // an earlier reply again (a duplicate, a retransmission, a late copy)
      if (!delivered.empty()) {
        std::vector<std::uint8_t> copy = delivered[in.u8() % delivered.size()].ip_packet;
        if ((op & 0x80U) != 0) mutate(in, copy);
        deliver(std::move(copy));
      }
      break;
    case 7: // one more host streams in from port discovery
      add_host(in.u8());
      tick();
      break;
    default: break;
    }
  }
  // Let the engine run out: every host ends by its deadline at the latest.
  for (int i = 0; i < 4096 && scan.hosts_in_flight() > 0; ++i) {
    const auto wakeup = scan.next_wakeup();
    if (!wakeup) break;
    now = std::max(now + 1ms, *wakeup);
    tick();
  }
  require(scan.hosts_in_flight() == 0);
}

void run_responder(std::span<const std::uint8_t> bytes) {
  Input in(bytes);
  constexpr std::uint32_t k_address = k_first_target;
  emulation::ResponderOptions options;
  options.address = k_address;
  options.seed = in.u16();
  options.open_tcp_ports.clear();
  const int open_ports = in.u8() % 4;
  for (int i = 0; i < open_ports; ++i) options.open_tcp_ports.push_back(in.u16());
  emulation::Responder responder(personality(in.u8()), options);

  // The probes of a scan round (values from the input), for lightly damaged copies of real probes.
  probes::ProbeContext context;
  context.source_address = k_scanner;
  context.target_address = k_address;
  context.open_tcp_port = options.open_tcp_ports.empty() ? 80 : options.open_tcp_ports.front();
  context.closed_tcp_port = in.u16();
  context.closed_udp_port = in.u16();
  context.tcp_port_base = in.u16();
  context.udp_port_base = in.u16();
  context.tcp_seq_base = in.u32();
  context.tcp_ack = in.u32();
  context.icmp_echo_id = in.u16();
  context.udp_ttl = in.u8();

  Timestamp now = k_wall_start;
  std::uint64_t handed = 0;
  for (int step = 0; step < k_max_steps && !in.empty(); ++step) {
    const std::uint8_t op = in.u8();
    now += std::chrono::microseconds(op & 0x80U ? 1000 * in.u16() : in.u8());
    std::vector<std::uint8_t> packet;
    switch (op % 4) {
    case 0: // raw bytes
      packet = in.take(in.u8() + (op & 0x40U ? 256 : 0));
      break;
    case 1: // raw bytes with a valid IPv4 header start and the emulated address as destination
      packet = raw_frame(in, 0x10, k_scanner, k_address);
      break;
    default: { // one of Nmap's probes from a chosen scanner address, possibly damaged
      const probes::ProbeId id = probes::k_all_probe_ids[in.u8() % probes::k_probe_count];
      probes::ProbeContext from = context;
      from.source_address = k_scanner + in.u8() % 4;
      packet = probes::probe_bytes(id, from, probes::PacketValues{in.u16(), in.u8()});
      if ((op & 0x40U) != 0) mutate(in, packet);
      break;
    }
    }
    const auto parsed = wire::parse_ipv4(packet);
    const auto replies = responder.respond_to_bytes(packet, now);
    ++handed;
    require(responder.stats().received == handed);
    if (!parsed || parsed->ip.destination != k_address) {
      require(replies.empty());
      continue;
    }
    for (const std::vector<std::uint8_t>& reply : replies) {
      auto answer = wire::parse_ipv4(reply);
      require(answer.has_value());
      require(answer->ip.source == k_address);
      require(answer->ip.destination == parsed->ip.source);
    }
  }
  const emulation::ResponderStats& stats = responder.stats();
  require(stats.answered + stats.silent + stats.not_for_us + stats.unsupported + stats.malformed == stats.received);
}

} // namespace stackprint::fuzz
