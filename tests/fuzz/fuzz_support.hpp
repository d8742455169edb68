#pragma once
// What the fuzz entry points (entry_points.cpp, stateful_entry_points.cpp) share: the way they
// report a violated invariant, and the MatchPoints section of their small in-code databases.

#include <cstdlib>
#include <string>
#include <string_view>

namespace stackprint::fuzz {

// A violated invariant: abort so that libFuzzer records the input and the replay test fails.
inline void require(bool condition) {
  if (!condition) { std::abort(); }
}

// A MatchPoints section of our own giving every test a weight, so that matching reaches every test.
constexpr std::string_view k_match_points = R"(MatchPoints
SEQ(SP=25%GCD=75%ISR=25%TI=100%CI=50%II=100%SS=80%TS=100)
OPS(O1=20%O2=20%O3=20%O4=20%O5=20%O6=20)
WIN(W1=15%W2=15%W3=15%W4=15%W5=15%W6=15)
ECN(R=100%DF=20%T=15%TG=15%W=15%O=15%CC=100%Q=20)
T1(R=100%DF=20%T=15%TG=15%S=20%A=20%F=30%RD=20%Q=20)
T2(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
T3(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
T4(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
T5(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
T6(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
T7(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)
U1(R=50%DF=20%T=15%TG=15%IPL=100%UN=100%RIPL=100%RID=100%RIPCK=100%RUCK=100%RUD=100)
IE(R=50%DFI=40%T=15%TG=15%CD=100)
)";

// A database text: a comment line naming it, the MatchPoints above, then `references`.
inline std::string database_text(std::string_view comment, std::string_view references) {
  return "# " + std::string(comment) + "\n" + std::string(k_match_points) + "\n" + std::string(references);
}

} // namespace stackprint::fuzz
