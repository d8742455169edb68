// libFuzzer target "responder": see run_responder() in entry_points.hpp. Built with -DSTACKPRINT_BUILD_FUZZERS=ON
// and clang (docs/fuzzing.md).
#include <cstddef>
#include <cstdint>
#include <span>

#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stackprint::fuzz::run_responder(std::span<const std::uint8_t>(data, size));
  return 0;
}
