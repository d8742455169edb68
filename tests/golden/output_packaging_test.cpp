// The program's interface and packaging:
//   - --version, and --help for every subcommand (exit 0, usage text);
//   - Nmap's -oN/-oX/-oJ spellings reach the replay command;
//   - `cmake --install` installs the binary, the gzipped man page and the JSON schema;
//   - `cpack -G DEB` builds a package holding them, whose postinst grants the capabilities.
// The build directory is the binary's directory (the top-level CMakeLists.txt puts it there).

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/command.hpp"
#include <unistd.h>

namespace stackprint {
namespace {

namespace fs = std::filesystem;

using test_support::CommandResult;
using test_support::run_command;

const std::string k_binary = STACKPRINT_BINARY;
fs::path build_dir() { return fs::path(k_binary).parent_path(); }
fs::path scratch(const std::string& name) {
  const fs::path p = fs::path(testing::TempDir()) / ("stackprint_pkg_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(Interface, VersionAndHelpForEverySubcommand) {
  const auto version = run_command(k_binary + " --version 2>&1");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("stackprint ", 0), 0U) << version.out;
  for (const char* sub : {"", "replay", "match", "db", "scan"}) {
    const auto help = run_command(k_binary + " " + sub + " --help 2>&1");
    EXPECT_EQ(help.status, 0) << sub << "\n" << help.out;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << sub << "\n" << help.out;
  }
  const auto replay = run_command(k_binary + " replay --help 2>&1");
  for (const char* option : {"--output-normal", "--output-xml", "--output-json", "--osscan-guess", "--db", "-v"}) {
    EXPECT_NE(replay.out.find(option), std::string::npos) << option;
  }
}

TEST(Interface, NmapOutputOptionSpellings) {
  const fs::path dir = scratch("spelling");
  const fs::path capture = fs::path(STACKPRINT_TEST_DATA_DIR) / "captures" / "default" / "capture.pcap";
  const auto r = run_command(k_binary + " replay --pcap '" + capture.string() + "' --target 10.99.10.2 -oN '" +
                             (dir / "a.nmap").string() + "' -oX'" + (dir / "a.xml").string() + "' -oJ - 2>/dev/null");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("{\"schema_version\":1,", 0), 0U) << r.out.substr(0, 200);
  EXPECT_TRUE(fs::exists(dir / "a.nmap"));
  EXPECT_TRUE(fs::exists(dir / "a.xml"));
  const auto bad = run_command(k_binary + " replay --pcap '" + capture.string() + "' --target 10.99.10.2 -oX " +
                               "/nonexistent-dir/x.xml 2>&1");
  EXPECT_EQ(bad.status, 3) << bad.out;
  EXPECT_NE(bad.out.find("cannot write /nonexistent-dir/x.xml"), std::string::npos) << bad.out;
}

TEST(Packaging, CmakeInstallPutsBinaryManPageAndSchema) {
  const fs::path prefix = scratch("install");
  const auto r = run_command("cmake --install '" + build_dir().string() + "' --prefix '" + prefix.string() + "' 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(fs::exists(prefix / "bin" / "stackprint"));
  EXPECT_TRUE(fs::exists(prefix / "share" / "doc" / "stackprint" / "stackprint-host.schema.json"));
  const fs::path man = prefix / "share" / "man" / "man1" / "stackprint.1.gz";
  ASSERT_TRUE(fs::exists(man));
  const auto page = run_command("gzip -dc '" + man.string() + "'");
  EXPECT_EQ(page.out.rfind(".TH STACKPRINT 1", 0), 0U);
  for (const char* section : {".SH EXIT STATUS", "\\-oX", "\\-oJ", "STACKPRINT_DB"}) {
    EXPECT_NE(page.out.find(section), std::string::npos) << section;
  }
}

TEST(Packaging, DebianPackageHoldsTheFilesAndGrantsCapabilities) {
  if (run_command("command -v cpack >/dev/null && command -v dpkg-deb >/dev/null").status != 0) {
    GTEST_SKIP() << "cpack or dpkg-deb missing";
  }
  const fs::path out = scratch("deb");
  const auto r = run_command("cd '" + build_dir().string() + "' && cpack -G DEB -B '" + out.string() + "' 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  fs::path deb;
  for (const auto& e : fs::directory_iterator(out)) {
    if (e.path().extension() == ".deb") deb = e.path();
  }
  ASSERT_FALSE(deb.empty()) << r.out;
  const auto contents = run_command("dpkg-deb -c '" + deb.string() + "'");
  for (const char* file : {"./usr/bin/stackprint", "./usr/share/man/man1/stackprint.1.gz",
                           "./usr/share/doc/stackprint/stackprint-host.schema.json"}) {
    EXPECT_NE(contents.out.find(file), std::string::npos) << file << "\n" << contents.out;
  }
  const auto postinst = run_command("dpkg-deb -I '" + deb.string() + "' postinst");
  EXPECT_NE(postinst.out.find("setcap cap_net_raw,cap_net_admin+ep /usr/bin/stackprint"), std::string::npos)
      << postinst.out;
  const auto control = run_command("dpkg-deb -f '" + deb.string() + "' Depends");
  EXPECT_NE(control.out.find("nmap-common"), std::string::npos) << control.out;
  EXPECT_NE(control.out.find("libpcap0.8"), std::string::npos) << control.out;
}

} // namespace
} // namespace stackprint
