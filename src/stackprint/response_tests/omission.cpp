#include "stackprint/response_tests/omission.hpp"

#include <string>

namespace stackprint::response_tests {

MissingReply missing_reply_line(std::string_view name, const PortKnowledge& ports) {
  if (name == "ECN" || name == "T1" || name == "T2" || name == "T3" || name == "T4") {
    return ports.open_tcp_port_available ? MissingReply::shown_as_no_response : MissingReply::left_out;
  }
  if (name == "T5" || name == "T6" || name == "T7") {
    return ports.closed_tcp_port_from_port_scan ? MissingReply::shown_as_no_response : MissingReply::left_out;
  }
  if (name == "U1" || name == "IE") return MissingReply::shown_as_no_response;
  return MissingReply::left_out;
}

bool ops_win_line_present(std::size_t values_collected) { return values_collected == 6; }

fingerprint::TestLine no_response_line(std::string_view name) {
  return fingerprint::TestLine{std::string(name), {{"R", "N"}}};
}

} // namespace stackprint::response_tests
