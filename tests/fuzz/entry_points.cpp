#include "entry_points.hpp"
#include "fuzz_support.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include <pcap/dlt.h>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/io/capture_file.hpp"
#include "stackprint/io/link_layer.hpp"
#include "stackprint/probes/probe_id.hpp"
#include "stackprint/responses/recorded_run.hpp"
#include "stackprint/responses/round_analysis.hpp"
#include "stackprint/responses/round_replies.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "stackprint/wire/ipv4_packet.hpp"
#include "support/probe_context.hpp"

namespace stackprint::fuzz {
namespace {

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The round every packet is matched against: fixed values the corpus has learnt.
using test_support::fixed_probe_context;

// A small database of our own covering every test, for matching parsed subjects.
constexpr std::string_view k_small_db_references = R"(Fingerprint Fuzz Linux-like
Class Fuzz | FuzzOS | 1.X | general purpose
CPE cpe:/o:fuzz:fuzzos:1 auto
SEQ(SP=F0-10A%GCD=1-6%ISR=FA-10E%TI=Z%CI=Z%II=I%TS=A|1)
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

Fingerprint Fuzz Printer
Class Fuzz | embedded || printer
SEQ(SP=0-5%TI=I%TS=U|0)
OPS(R=N)
WIN(R=N)
T1(R=Y%DF=N%T=FA-104%TG=FF%S=O%A=S+%F=AS)
U1(R=N)
IE(R=Y%DFI=S%T=FA-104%TG=FF%CD=S)
)";

// The subject matched against fuzzed databases.
constexpr std::string_view k_subject = R"(SEQ(SP=107%GCD=1%ISR=10F%TI=Z%CI=Z%II=I%TS=21)
OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11NWA%O5=M5B4ST11NWA%O6=M5B4ST11)
WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=FE88)
ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)
T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS%RD=0%Q=)
T2(R=N)
T4(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)
T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)
U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)
IE(R=Y%DFI=N%T=40%CD=S)
)";

const database::OsDb& small_db() {
  static const database::OsDb db = [] {
    auto parsed = database::parse_os_db(
        database_text("fuzzing database (ours, not derived from Nmap's)", k_small_db_references), "fuzz-small.db");
    require(parsed.has_value());
    return std::move(*parsed);
  }();
  return db;
}

const fingerprint::Fingerprint& fixed_subject() {
  static const fingerprint::Fingerprint subject = [] {
    auto parsed = fingerprint::parse_fingerprint(k_subject);
    require(parsed.has_value());
    return std::move(*parsed);
  }();
  return subject;
}

void match_against(const database::OsDb& db, const fingerprint::Fingerprint& subject) {
  scoring::Matcher matcher(db);
  const scoring::MatchResult result = matcher.match(subject);
  require(result.matches.size() <= scoring::k_max_results);
  require(result.perfect_matches <= result.matches.size());
  for (const scoring::Match& m : result.matches) {
    require(m.reference < db.references().size());
    require(m.accuracy >= 0.0 && m.accuracy <= 1.0);
  }
  // A bounded number of full comparisons (fuzzed databases may hold many references).
  const std::size_t compared = std::min<std::size_t>(db.references().size(), 8);
  for (std::size_t ref = 0; ref < compared; ++ref) {
    const scoring::Score score = matcher.compare(subject, ref);
    require(score.matched <= score.total);
  }
}

void collect_round(const std::vector<responses::Reply>& replies) {
  const probes::ProbeContext context = fixed_probe_context();
  responses::RoundCollector collector(context);
  for (const probes::ProbeId id : probes::k_all_probe_ids) { collector.on_probe_sent(id, Timestamp{}); }
  for (const responses::Reply& reply : replies) { (void)collector.on_reply(reply); }
  const responses::RoundAnalysis analysis =
      responses::analyze_round(collector.replies(), context, responses::RoundConditions{});
  (void)fingerprint::format_plain(analysis.fingerprint);
}

} // namespace

void run_packet(std::span<const std::uint8_t> bytes) {
  auto parsed = wire::parse_ipv4(bytes);
  if (!parsed) { return; }
  const wire::Ipv4Packet& packet = *parsed;
  (void)wire::verify_ip_checksum(packet.ip);
  (void)wire::verify_transport_checksum(packet);

  // Every field was read from the bytes, so writing them back as given must re-parse to the same value.
  const std::vector<std::uint8_t> again = wire::serialize(packet, wire::SerializeOptions::keep_all());
  auto reparsed = wire::parse_ipv4(again);
  require(reparsed.has_value());
  require(*reparsed == packet);

  if (const wire::IcmpMessage* icmp = packet.icmp()) {
    if (auto quoted = icmp->quoted_packet()) {
      (void)quoted->source_port();
      (void)quoted->destination_port();
    }
  }

  // As captured, then re-addressed from the target to the scanner (TCP destination ports folded
  // onto the context's port range) so that the collector's matching rules are reached.
  const probes::ProbeContext context = fixed_probe_context();
  std::vector<std::uint8_t> captured(bytes.begin(), bytes.end());
  std::vector<responses::Reply> replies;
  replies.push_back(responses::Reply{Timestamp{}, packet, captured, std::nullopt});
  wire::Ipv4Packet readdressed = packet;
  readdressed.ip.source = context.target_address;
  readdressed.ip.destination = context.source_address;
  if (wire::TcpSegment* tcp = readdressed.tcp()) {
    tcp->destination_port =
        static_cast<std::uint16_t>(context.tcp_port_base + tcp->destination_port % probes::k_tcp_probe_count);
  }
  std::vector<std::uint8_t> readdressed_bytes = wire::serialize(readdressed, wire::SerializeOptions::keep_all());
  replies.push_back(responses::Reply{Timestamp{std::chrono::milliseconds(5)}, std::move(readdressed),
                                     std::move(readdressed_bytes), std::nullopt});
  collect_round(replies);
}

void run_capture(std::span<const std::uint8_t> bytes) {
  // The pure link-layer step on the raw bytes as one frame, for every link type we read.
  for (const int link_type : {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_NULL, DLT_LOOP}) {
    if (auto frame = io::frame_from_link_layer(link_type, Timestamp{}, bytes)) {
      require(frame->ip_packet.size() <= bytes.size());
    }
  }

  // read_capture_file takes a path: hand it an in-memory file (one per process, rewritten per input).
  static const int file = memfd_create("stackprint-fuzz-capture", 0);
  require(file >= 0);
  require(ftruncate(file, 0) == 0);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = pwrite(file, bytes.data() + written, bytes.size() - written, static_cast<off_t>(written));
    require(n > 0);
    written += static_cast<std::size_t>(n);
  }
  auto contents = io::read_capture_file("/proc/self/fd/" + std::to_string(file));
  if (!contents || contents->frames.empty()) { return; }
  // The probes go from the scanner to the target: take the first frame's destination as target.
  const auto first = wire::parse_ipv4(contents->frames.front().ip_packet);
  if (!first) { return; }
  auto run = responses::reconstruct_run(contents->frames, first->ip.destination);
  if (!run) { return; }
  for (const responses::RecordedRound& round : run->rounds) {
    const responses::RoundAnalysis analysis =
        responses::analyze_round(round.replies, round.context, responses::RoundConditions{});
    (void)fingerprint::format_wrapped(analysis.fingerprint);
  }
}

void run_os_db(std::span<const std::uint8_t> bytes) {
  auto db = database::parse_os_db(as_text(bytes), "fuzz.db");
  if (!db) { return; }
  for (std::size_t ref = 0; ref < std::min<std::size_t>(db->references().size(), 4); ++ref) {
    for (std::uint16_t test = 0; test < db->tests().size(); ++test) {
      if (db->line_of(ref, test) != database::OsDb::k_no_line) { (void)db->reference_test_line(ref, test); }
    }
  }
  match_against(*db, fixed_subject());
}

void run_fingerprint(std::span<const std::uint8_t> bytes) {
  auto fp = fingerprint::parse_fingerprint(as_text(bytes));
  if (!fp) { return; }
  // The documented round trips (text.hpp).
  auto plain = fingerprint::parse_fingerprint(fingerprint::format_plain(*fp));
  require(plain.has_value() && *plain == *fp);
  auto wrapped = fingerprint::parse_fingerprint(fingerprint::format_wrapped(*fp));
  require(wrapped.has_value() && *wrapped == *fp);
  match_against(small_db(), *fp);
}

} // namespace stackprint::fuzz
