#pragma once
// Matching captured replies to the OS-detection probes of one round for one host, with Nmap 7.93's
// acceptance rules (docs/nmap-behaviour.md 4.5; osscan2's HostOsScan::processResp). Sans-I/O: the caller
// reports what was sent and what arrived, in time order, from a live scan or a capture file.
//
// Rules kept from Nmap:
//   - TCP replies are classified by "destination port - tcp_port_base" (probes::tcp_probe_for_reply_port).
//   - SEQ (offsets 0..5): only SYN+ACK gives a SEQ sample; the first per slot wins; a reply whose
//     non-zero IP ID equals that of the previous accepted SEQ reply is dropped as a duplicate.
//     Nmap takes any SYN/ACK on a SEQ port as that slot's sample for as long as it listens, however
//     late (docs/nmap-behaviour.md 4.5): a target's retransmission of a lost SYN/ACK (Linux: 1 s
//     later, same ISN, fresh TSval) then counts with the probe's send time and moves TS. Capture
//     replays keep that (no `seq_timeout`); the live engine does not (below).
//     Any packet on offset 0 also feeds T1, any packet on 0..5 also feeds O_i/W_i (first wins,
//     RSTs included), whether or not it made a SEQ sample.
//   - OPS re-sends (6..11) feed O_i/W_i; ECN (12) and T1..T7 (13..19) take the first packet, any flags.
//   - ICMP echo replies: identifier - icmp_echo_id in {0, 1}; the first per probe wins. The IP ID is
//     an II sample only if the probe had not been retransmitted when the reply arrived.
//   - ICMP port unreachable: the quoted UDP ports must equal U1's; the first one wins.
//   - Only packets from the target address count.
// Stricter than Nmap (DIVERGENCE(nmap), against forged and unsolicited packets): a TCP reply must
// come from the port its probe went to, and U1's unreachable must quote a datagram sent to the target.
// DIVERGENCE(nmap), live engine only (a `seq_timeout` is given): a SYN/ACK that arrives more than
// the probe timeout after its SEQ probe left is no SEQ sample, nor is one that repeats the ISN of
// a SYN/ACK already seen on the same port (`seen_isns`): both are the target's retransmissions,
// whose fresh TSval credited with the probe's send time would move TS, ISR and SP. When nothing
// came on that port before, a late one still serves T1 and O_i/W_i: a retransmission repeats the
// original's window and options (only the TSval moves, which the O test does not read), and Nmap
// would only re-send a probe of the same shape for them; a repeated ISN serves them only when its
// window and options equal the original's. Such a slot is flagged in `seq_late` (or
// `seq_retransmitted`) so the engine treats its train as one that lost a reply.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/probes/probe_id.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::responses {

// One received packet kept for the response tests: parsed view plus the exact bytes (U1's RUD test
// and the 7.93 option walk read raw bytes).
struct Reply {
  Timestamp time;
  wire::Ipv4Packet packet;
  std::vector<std::uint8_t> bytes; // the IPv4 packet as captured, link layer removed
  std::optional<std::array<std::uint8_t, 6>> link_source;
};

// Everything Nmap keeps from one round of one host.
struct RoundReplies {
  std::array<std::optional<Timestamp>, 6> seq_send_times; // first send of SEQ1..SEQ6
  std::array<std::optional<Reply>, 6> seq;                // accepted SYN/ACK samples
  std::vector<std::size_t> seq_arrival_order;             // slot indexes in arrival order
  std::uint8_t seq_late = 0;                   // bit i: a SYN/ACK for SEQ(i+1) came after its timeout (no sample)
  std::uint8_t seq_retransmitted = 0;          // bit i: one repeated an ISN already seen on its port (no sample)
  std::array<std::optional<Reply>, 6> ops_win; // O_i / W_i sources
  std::optional<Reply> ecn;
  std::array<std::optional<Reply>, 7> t;                 // T1..T7
  std::array<std::optional<Reply>, 2> echo;              // IE1, IE2
  std::array<bool, 2> echo_reply_after_retransmission{}; // the II rule
  std::optional<Reply> u1;
  std::array<unsigned, probes::k_probe_count> sends{}; // how often each probe was sent
  // Why a packet from the target was not used (counted, never fatal).
  std::uint64_t unmatched_packets = 0;
  std::uint64_t duplicate_packets = 0;
};

// A SYN/ACK the target sent: the connection (our port) and ISN that make a later copy a
// retransmission, and the window and option bytes such a copy must repeat to serve O_i/W_i.
struct SeenSynAck {
  std::uint16_t port = 0; // its destination port (our source port)
  std::uint32_t isn = 0;
  std::uint16_t window = 0;
  std::vector<std::uint8_t> options;
};

// Whether two TCP option lists read the same for the O test: the same bytes, except the values of
// a timestamp option, of which only zero or non-zero counts (a retransmission's TSval moves).
[[nodiscard]] bool same_option_reading(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

class RoundCollector {
public:
  // `seq_timeout`: how long after its first send a SEQ probe's SYN/ACK still counts as a sample
  // (Nmap's probe timeout); nullopt keeps every SYN/ACK (no timeout known).
  explicit RoundCollector(const probes::ProbeContext& context,
                          std::optional<std::chrono::microseconds> seq_timeout = std::nullopt)
      : m_context(context), m_seq_timeout(seq_timeout) {}

  // The probe timeout changed (the engine refines it from RTT samples); it applies to replies
  // that arrive from now on, as Nmap's check uses the timeout of the moment it runs.
  void set_seq_timeout(std::optional<std::chrono::microseconds> seq_timeout) { m_seq_timeout = seq_timeout; }

  // Live engine: SYN/ACKs on a port and with an ISN already seen (in `known`, from earlier rounds,
  // or in this one) are retransmissions, never SEQ samples (DIVERGENCE(nmap), see above); nor is
  // a SYN/ACK on a SEQ port whose probe was not sent in this round. Every SYN/ACK from the target
  // is added to seen_syn_acks() (at most k_max_seen_syn_acks are kept).
  void track_retransmissions(std::vector<SeenSynAck> known);
  [[nodiscard]] const std::vector<SeenSynAck>& seen_syn_acks() const { return m_seen; }
  static constexpr std::size_t k_max_seen_syn_acks = 256;

  // A probe left at `time`. Call in time order together with on_reply.
  void on_probe_sent(probes::ProbeId id, Timestamp time);

  // The probe just reported to on_probe_sent actually left at `time`: the sender read its clock
  // right before the send call, which can be later than the time the probe was planned at (a burst
  // of packets to many hosts goes out one send call after another). Only SEQ send times are kept,
  // and only for a first send: SP, ISR and TS divide by the time between SEQ probes, so the time
  // must be the probe's own (Nmap reads its clock right before each SEQ send).
  void on_probe_left(probes::ProbeId id, Timestamp time);

  // A packet arrived. Returns the probe it answered when it filled an empty slot ("useful" in
  // Nmap's words), nullopt when it was unrelated, late or a duplicate.
  std::optional<probes::ProbeId> on_reply(Reply reply);

  [[nodiscard]] const RoundReplies& replies() const { return m_replies; }
  [[nodiscard]] const probes::ProbeContext& context() const { return m_context; }

private:
  std::optional<probes::ProbeId> on_tcp_reply(Reply& reply, std::uint16_t destination_port, bool syn_ack);
  std::optional<probes::ProbeId> on_icmp_reply(Reply& reply, const wire::IcmpMessage& icmp);

  probes::ProbeContext m_context;
  std::optional<std::chrono::microseconds> m_seq_timeout;
  RoundReplies m_replies;
  std::optional<std::uint16_t> m_last_seq_ip_id;
  bool m_tracking = false;
  std::vector<SeenSynAck> m_seen;
};

} // namespace stackprint::responses
