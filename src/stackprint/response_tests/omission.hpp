#pragma once
// Which test lines a fingerprint shows when data is missing (docs/nmap-behaviour.md 1.5; Nmap's makeFP,
// makeTOpsFP, makeTWinFP, makeTSeqFP).
//
//   SEQ      left out when none of its 8 attributes could be computed (make_seq_line does this).
//   OPS, WIN left out unless all 6 values were collected; never a partial line, never R=N.
//   ECN, T1..T4  no reply -> `NAME(R=N)` only if an open TCP port was available; without one the
//                probes are never sent and the lines are left out.
//   T5..T7   no reply -> `R=N` only if the closed TCP port came from the port scan; if Nmap fell
//            back to an unfiltered or random port, the lines are left out.
//   U1, IE   no (complete) reply -> always `R=N`. IE needs both echo replies.
// An R=N line holds only R=N.

#include <cstddef>
#include <string_view>

#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::response_tests {

struct PortKnowledge {
  bool open_tcp_port_available = false;        // Nmap's openTCPPort != -1
  bool closed_tcp_port_from_port_scan = false; // osscan_closedtcpport != -1 (known closed, not guessed)
};

enum class MissingReply {
  shown_as_no_response, // NAME(R=N)
  left_out,             // no line at all
};

// For ECN, T1..T7, U1, IE: what to print when the test got no (complete) reply. SEQ, OPS, WIN and
// unknown names are always left_out.
[[nodiscard]] MissingReply missing_reply_line(std::string_view test_name, const PortKnowledge& ports);

// OPS and WIN are printed only when all 6 values were collected.
[[nodiscard]] bool ops_win_line_present(std::size_t values_collected);

// `NAME(R=N)`.
[[nodiscard]] fingerprint::TestLine no_response_line(std::string_view test_name);

} // namespace stackprint::response_tests
