#include "stackprint/response_tests/ie.hpp"

#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {

// IE.DFI
std::string ie_dfi_value(bool reply1_df, bool reply2_df) {
  if (reply1_df && reply2_df) return "Y";
  if (reply1_df && !reply2_df) return "S";
  if (!reply1_df && !reply2_df) return "N";
  return "O";
}

// IE.CD
std::string ie_cd_value(std::uint8_t reply1_code, std::uint8_t reply2_code) {
  if (reply1_code == reply2_code) return reply1_code == 0 ? "Z" : hex(reply1_code);
  if (reply1_code == 9 && reply2_code == 0) return "S";
  return "O";
}

} // namespace stackprint::response_tests
