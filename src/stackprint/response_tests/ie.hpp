#pragma once
// IE tests on the two ICMP echo replies (docs/nmap-behaviour.md Appendix B; Nmap's processTIcmpResp):
// DFI and CD. R is "Y" only when both replies came; T/TG come from reply #1 (the reply to the
// probe with code 9, ICMP id icmpEchoId), via ttl.hpp.

#include <cstdint>
#include <string>

namespace stackprint::response_tests {

// DFI: "Y" if both replies have DF; "S" if reply #1 has DF and reply #2 not (both echo the probes);
// "N" if neither; "O" otherwise (only #2 has DF).
[[nodiscard]] std::string ie_dfi_value(bool reply1_df, bool reply2_df);

// CD: equal codes -> "Z" when 0, else the code in hex; codes 9 then 0 (as sent) -> "S"; else "O".
[[nodiscard]] std::string ie_cd_value(std::uint8_t reply1_code, std::uint8_t reply2_code);

} // namespace stackprint::response_tests
