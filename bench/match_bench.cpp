// Database load time and full-database matches per second, on the installed nmap-os-db
// (/usr/share/nmap/nmap-os-db, or $STACKPRINT_DB). Targets: load < 50 ms, >= 20,000 matches/s on one
// core for realistic subjects. Subjects (written here, not copied from the DB):
//   linux     - a real Nmap 7.93 print of a Linux 6.x target (no perfect match; many near ones)
//   windows   - a Windows-10-like stack (TTL 128, MSS FFD7, no T7/U1 quirks)
//   printer   - an embedded printer-like stack (TTL 64 guessed, window 2000, constant IP IDs)
//   closed    - only closed-port tests (no open port): SEQ partial, T5-T7, U1, IE (too many matches)
//   partial   - a Linux subject without ECN, T1-T4, U1 (missing tests)
//   captures  - every subject fingerprint recorded under tests/data/captures (Nmap 7.93 runs against
//               Linux lab targets with many tweaks), a different subject each iteration
//   mixed     - the five subjects above in turn, a different one each iteration
// Each match benchmark reports items/s = full-DB matches per second (CPU time of this thread). The
// Matcher keeps no state from one subject to the next, so cycling subjects does the same work as
// repeating one; it is slower only because the caches and branch predictors no longer hold the
// previous, identical match. The cycling figures are the realistic ones for a scan of many hosts.
// bm_load_total is what a command pays before its first match: read the file, parse, compile the
// Matcher's layout (the "load under 50 ms").

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace {

using stackprint::database::OsDb;

std::string db_path() {
  const char* env = std::getenv("STACKPRINT_DB"); // NOLINT(concurrency-mt-unsafe)
  return env != nullptr && *env != '\0' ? env : std::string(stackprint::database::k_default_db_path);
}

const std::string& db_text() {
  static const std::string text = [] {
    std::ifstream in(db_path(), std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + db_path());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return text;
}

const OsDb& db() {
  static const OsDb parsed = [] {
    auto r = stackprint::database::parse_os_db(db_text(), db_path());
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
  }();
  return parsed;
}

constexpr const char* k_linux =
    "SEQ(SP=107%GCD=1%ISR=10F%TI=Z%CI=Z%II=I%TS=21)\n"
    "OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11NWA%O5=M5B4ST11NWA%O6=M5B4ST11)\n"
    "WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=FE88)\n"
    "ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)\n"
    "T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS%RD=0%Q=)\nT2(R=N)\nT3(R=N)\n"
    "T4(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
    "T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "T6(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
    "T7(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)\n"
    "IE(R=Y%DFI=N%T=40%CD=S)\n";

constexpr const char* k_windows =
    "SEQ(SP=104%GCD=1%ISR=107%TI=I%CI=I%II=I%SS=S%TS=A)\n"
    "OPS(O1=MFFD7NW8ST11%O2=MFFD7NW8ST11%O3=MFFD7NW8NNT11%O4=MFFD7NW8ST11%O5=MFFD7NW8ST11%O6=MFFD7ST11)\n"
    "WIN(W1=FFFF%W2=FFFF%W3=FFFF%W4=FFFF%W5=FFFF%W6=FFFF)\n"
    "ECN(R=Y%DF=Y%T=80%W=FFFF%O=MFFD7NW8NNS%CC=N%Q=)\n"
    "T1(R=Y%DF=Y%T=80%S=O%A=S+%F=AS%RD=0%Q=)\n"
    "T2(R=Y%DF=Y%T=80%W=0%S=Z%A=S%F=AR%O=%RD=0%Q=)\n"
    "T3(R=Y%DF=Y%T=80%W=0%S=Z%A=O%F=AR%O=%RD=0%Q=)\n"
    "T4(R=Y%DF=Y%T=80%W=0%S=A%A=O%F=R%O=%RD=0%Q=)\n"
    "T5(R=Y%DF=Y%T=80%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "T6(R=Y%DF=Y%T=80%W=0%S=A%A=O%F=R%O=%RD=0%Q=)\n"
    "T7(R=N)\n"
    "U1(R=Y%DF=N%T=80%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)\n"
    "IE(R=Y%DFI=N%T=80%CD=Z)\n";

constexpr const char* k_printer =
    "SEQ(SP=9A%GCD=1%ISR=A0%TI=I%CI=I%II=I%SS=S%TS=1)\n"
    "OPS(O1=M5B4NW0NNT11%O2=M5B4NW0NNT11%O3=M5B4NW0NNT11%O4=M5B4NW0NNT11%O5=M5B4NW0NNT11%O6=M5B4NNT11)\n"
    "WIN(W1=2000%W2=2000%W3=2000%W4=2000%W5=2000%W6=2000)\n"
    "ECN(R=Y%DF=N%T=40%W=2000%O=M5B4NW0%CC=N%Q=)\n"
    "T1(R=Y%DF=N%T=40%S=O%A=S+%F=AS%RD=0%Q=)\nT2(R=N)\nT3(R=N)\n"
    "T4(R=Y%DF=N%T=40%W=2000%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
    "T5(R=Y%DF=N%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "T6(R=Y%DF=N%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
    "T7(R=N)\n"
    "U1(R=Y%DF=N%T=40%IPL=38%UN=0%RIPL=G%RID=4210%RIPCK=I%RUCK=0%RUD=G)\n"
    "IE(R=Y%DFI=S%T=40%CD=S)\n";

constexpr const char* k_closed = "SEQ(CI=Z%II=I)\n"
                                 "T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
                                 "T6(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
                                 "T7(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
                                 "U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)\n"
                                 "IE(R=Y%DFI=N%T=40%CD=S)\n";

constexpr const char* k_partial =
    "SEQ(SP=107%GCD=1%ISR=10F%TI=Z%CI=Z%II=I%TS=A)\n"
    "OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11NWA%O5=M5B4ST11NWA%O6=M5B4ST11)\n"
    "WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=FE88)\n"
    "T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "T6(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)\n"
    "T7(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)\n"
    "IE(R=Y%DFI=N%T=40%CD=S)\n";

void bm_parse_db(benchmark::State& state) {
  const std::string& text = db_text();
  for (auto _ : state) {
    auto parsed = stackprint::database::parse_os_db(text, db_path());
    if (!parsed) state.SkipWithError(parsed.error().message.c_str());
    benchmark::DoNotOptimize(parsed);
  }
  state.SetLabel("parse only, text in memory");
}
BENCHMARK(bm_parse_db)->Unit(benchmark::kMillisecond);

void bm_load_db_file(benchmark::State& state) {
  for (auto _ : state) {
    std::ifstream in(db_path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto parsed = stackprint::database::parse_os_db(ss.str(), db_path());
    if (!parsed) state.SkipWithError(parsed.error().message.c_str());
    benchmark::DoNotOptimize(parsed);
  }
  state.SetLabel("read file + parse");
}
BENCHMARK(bm_load_db_file)->Unit(benchmark::kMillisecond);

void bm_matcher_setup(benchmark::State& state) {
  for (auto _ : state) {
    stackprint::scoring::Matcher m(db());
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(bm_matcher_setup)->Unit(benchmark::kMillisecond);

void bm_load_total(benchmark::State& state) {
  for (auto _ : state) {
    std::ifstream in(db_path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto parsed = stackprint::database::parse_os_db(ss.str(), db_path());
    if (!parsed) {
      state.SkipWithError(parsed.error().message.c_str());
      break;
    }
    stackprint::scoring::Matcher m(*parsed);
    benchmark::DoNotOptimize(m);
  }
  state.SetLabel("read file + parse + compile matcher");
}
BENCHMARK(bm_load_total)->Unit(benchmark::kMillisecond);

std::vector<stackprint::fingerprint::Fingerprint> capture_subjects() {
  std::vector<stackprint::fingerprint::Fingerprint> out;
  std::vector<std::filesystem::path> files;
  for (const auto& dir :
       std::filesystem::directory_iterator(std::filesystem::path(STACKPRINT_TEST_DATA_DIR) / "captures")) {
    if (std::filesystem::exists(dir.path() / "fingerprint.txt")) files.push_back(dir.path() / "fingerprint.txt");
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto fp = stackprint::fingerprint::parse_fingerprint(ss.str());
    if (fp) out.push_back(std::move(*fp));
  }
  return out;
}

void bm_match_cycle(benchmark::State& state, const std::vector<stackprint::fingerprint::Fingerprint>& subjects) {
  if (subjects.empty()) {
    state.SkipWithError("no subjects");
    return;
  }
  stackprint::scoring::Matcher matcher(db());
  std::size_t next = 0;
  for (auto _ : state) {
    auto result = matcher.match(subjects[next]);
    benchmark::DoNotOptimize(result);
    next = next + 1 == subjects.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["subjects"] = static_cast<double>(subjects.size());
}

void bm_match_captures(benchmark::State& state) {
  static const auto subjects = capture_subjects();
  bm_match_cycle(state, subjects);
}
BENCHMARK(bm_match_captures)->Unit(benchmark::kMicrosecond);

void bm_match(benchmark::State& state, const char* text, stackprint::database::Semantics semantics) {
  auto subject = stackprint::fingerprint::parse_fingerprint(text);
  if (!subject) {
    state.SkipWithError(subject.error().message.c_str());
    return;
  }
  stackprint::scoring::Matcher matcher(db(), {semantics, stackprint::scoring::k_guess_threshold});
  std::size_t listed = 0;
  for (auto _ : state) {
    auto result = matcher.match(*subject);
    listed = result.matches.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["listed"] = static_cast<double>(listed);
}
using stackprint::database::Semantics;
BENCHMARK_CAPTURE(bm_match, linux, k_linux, Semantics::nmap_7_93)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_match, windows, k_windows, Semantics::nmap_7_93)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_match, printer, k_printer, Semantics::nmap_7_93)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_match, closed, k_closed, Semantics::nmap_7_93)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_match, partial, k_partial, Semantics::nmap_7_93)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_match, linux_fixed, k_linux, Semantics::fixed)->Unit(benchmark::kMicrosecond);

void bm_match_mixed(benchmark::State& state) {
  static const auto subjects = [] {
    std::vector<stackprint::fingerprint::Fingerprint> out;
    for (const char* text : {k_linux, k_windows, k_printer, k_closed, k_partial}) {
      auto fp = stackprint::fingerprint::parse_fingerprint(text);
      if (fp) out.push_back(std::move(*fp));
    }
    return out;
  }();
  bm_match_cycle(state, subjects);
}
BENCHMARK(bm_match_mixed)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
