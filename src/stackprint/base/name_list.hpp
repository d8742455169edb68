#pragma once
// Lists of names typed by users, one syntax for all of them (`emulate --filter T2-T7,U1,IE` names
// probes, `match --filtered "T2-T7 U1 IE"` names test lines):
//   - items are separated by a comma, by spaces, or by a comma with spaces around it;
//   - an item is a NAME, or a range FIRST-LAST of two names made of the same letters followed by
//     numbers, FIRST's number at most LAST's ("T2-T7", "SEQ1-SEQ6"); LAST may be given by its
//     number alone ("T2-7");
//   - an empty item (",,", a leading or trailing comma) or an empty list is an error.
// Which names exist, and what group names such as "IE" stand for, is the caller's business: this
// only splits the text and expands the ranges.

#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"

namespace stackprint {

struct ListedName {
  std::string name;      // "T4"
  std::string_view item; // the item of the text it comes from, "T4" or "T2-T7" (a view into the text)
};

// The names of `text` in the order given, ranges expanded in increasing order, duplicates kept.
// An error names the item at fault (one line, without the whole text).
[[nodiscard]] Expected<std::vector<ListedName>> parse_name_list(std::string_view text);

} // namespace stackprint
