// No shell is ever invoked, with target data or anything else. Two independent checks:
//   1. the built stackprint binary imports none of the C library's ways to start a program
//      (system, popen, the exec family, posix_spawn, fork/vfork) and holds no "/bin/sh": without an
//      import it cannot call them, whatever the data (an ELF dynamic string table lists every
//      imported symbol as a NUL-terminated name, so a byte search over the file is enough);
//   2. no source file under src/ or apps/ calls them (catches a future edit before it links).
// A scanner that never starts a process cannot pass a target name or a reply's bytes to a shell.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<std::string>& process_starters() {
  static const std::vector<std::string> names{"system",      "popen",        "execl",  "execlp",  "execle",
                                              "execv",       "execve",       "execvp", "execvpe", "fexecve",
                                              "posix_spawn", "posix_spawnp", "fork",   "vfork",   "wordexp"};
  return names;
}

// True when `blob` holds `name` as a whole NUL-terminated string (a dynamic symbol name, possibly
// with a "@GLIBC_x" version suffix in the string table of other tools' output).
bool has_symbol_string(const std::string& blob, const std::string& name) {
  const std::string needle = std::string(1, '\0') + name + std::string(1, '\0');
  return blob.find(needle) != std::string::npos;
}

TEST(NoShell, BinaryImportsNoWayToStartAProgram) {
  const std::string binary = read_all(STACKPRINT_BINARY);
  ASSERT_GT(binary.size(), 100000U) << "cannot read " << STACKPRINT_BINARY;
  ASSERT_EQ(binary.compare(0, 4,
                           "\x7f"
                           "ELF"),
            0);
  // The check can fail: these imports are certainly there.
  EXPECT_TRUE(has_symbol_string(binary, "socket"));
  EXPECT_TRUE(has_symbol_string(binary, "setuid") || has_symbol_string(binary, "setresuid"));
  for (const auto& name : process_starters()) {
    EXPECT_FALSE(has_symbol_string(binary, name)) << "stackprint imports " << name;
  }
  EXPECT_EQ(binary.find("/bin/sh"), std::string::npos);
}

TEST(NoShell, NoSourceCallsAProgramStarter) {
  const std::filesystem::path root = std::filesystem::path(STACKPRINT_TEST_DATA_DIR).parent_path().parent_path();
  std::string alternatives;
  for (const auto& name : process_starters()) { alternatives += (alternatives.empty() ? "" : "|") + name; }
  // A call: the name not preceded by a letter, digit, '_' or '.', then '(' (a space before '(' is
  // not allowed by the project's format, and prose such as "operating system (" is not a call).
  const std::regex call("(^|[^A-Za-z0-9_.])(" + alternatives + ")\\(");
  std::size_t files = 0;
  for (const char* folder : {"src", "apps"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) { continue; }
      ++files;
      const std::string text = read_all(entry.path());
      std::istringstream lines(text);
      std::string line;
      for (int number = 1; std::getline(lines, line); ++number) {
        std::smatch match;
        EXPECT_FALSE(std::regex_search(line, match, call))
            << entry.path() << ":" << number << " calls " << match.str(2);
      }
      EXPECT_EQ(text.find("/bin/sh"), std::string::npos) << entry.path();
    }
  }
  EXPECT_GT(files, 50U) << "sources not found under " << root;
  // The pattern itself finds a call.
  EXPECT_TRUE(std::regex_search(std::string("  std::system(cmd);"), call));
  EXPECT_TRUE(std::regex_search(std::string("execvp(argv[0], argv);"), call));
  EXPECT_FALSE(std::regex_search(std::string("os_system(x); file.popen_x(y);"), call));
}

} // namespace
