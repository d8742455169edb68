#include "stackprint/fingerprint/fingerprint.hpp"

#include <algorithm>

namespace stackprint::fingerprint {

const std::string* TestLine::find(std::string_view attribute) const {
  const auto it =
      std::find_if(attributes.begin(), attributes.end(), [&](const Attribute& a) { return a.name == attribute; });
  return it == attributes.end() ? nullptr : &it->value;
}

const TestLine* Fingerprint::find(std::string_view name) const {
  const auto it = std::find_if(tests.begin(), tests.end(), [&](const TestLine& t) { return t.name == name; });
  return it == tests.end() ? nullptr : &*it;
}

} // namespace stackprint::fingerprint
