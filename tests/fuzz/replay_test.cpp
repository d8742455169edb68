// Replays every committed fuzz input (corpus/<target>/ and regression/<target>/) through the same
// entry points as the libFuzzer targets, in the normal g++ build and in the ASan+UBSan build, so a
// fixed crash stays fixed and the seeds stay valid inputs.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "entry_points.hpp"
#include "stackprint/io/capture_file.hpp"

namespace stackprint::fuzz {

// Test names and failure messages show the target name, not the struct's bytes.
void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_under(const fs::path& folder) {
  std::vector<fs::path> files;
  if (fs::is_directory(folder)) {
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.is_regular_file() && entry.path().filename() != ".gitkeep") { files.push_back(entry.path()); }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class FuzzReplay : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzReplay, CorpusAndRegressionInputsRunCleanly) {
  const Target target = GetParam();
  const fs::path root = STACKPRINT_FUZZ_DIR;
  const auto corpus = files_under(root / "corpus" / target.name);
  const auto regression = files_under(root / "regression" / target.name);
  // Every target has a committed seed corpus; an empty folder means a broken checkout or path.
  ASSERT_FALSE(corpus.empty()) << "no seeds under " << (root / "corpus" / target.name);
  std::size_t replayed = 0;
  for (const auto* files : {&corpus, &regression}) {
    for (const fs::path& file : *files) {
      SCOPED_TRACE(file.string());
      const std::vector<std::uint8_t> bytes = read_bytes(file);
      target.run(bytes); // aborts (failing the test binary) on a violated invariant
      ++replayed;
    }
  }
  EXPECT_EQ(replayed, corpus.size() + regression.size());
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplay, ::testing::ValuesIn(k_targets),
                         [](const ::testing::TestParamInfo<Target>& param_info) {
                           return std::string(param_info.param.name);
                         });

// Fuzzing finding (capture target): a pcapng record whose 64-bit timestamp gives more seconds than
// a microsecond Timestamp can hold overflowed (signed overflow, UB) in read_capture_file; it is now
// rejected as a damaged capture.
TEST(FuzzFindings, CaptureTimestampBeyondTimestampRangeIsRejected) {
  const std::filesystem::path file =
      std::filesystem::path(STACKPRINT_FUZZ_DIR) / "regression" / "capture" / "pcapng-timestamp-overflow.pcapng";
  ASSERT_TRUE(std::filesystem::is_regular_file(file));
  const auto contents = io::read_capture_file(file);
  ASSERT_FALSE(contents.has_value());
  EXPECT_NE(contents.error().message.find("timestamp out of range"), std::string::npos) << contents.error().message;
}

} // namespace
} // namespace stackprint::fuzz
