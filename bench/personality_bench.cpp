// How long `stackprint emulate` takes to draw one emulated host's personality
// (emulation::make_personality) from the installed nmap-os-db (/usr/share/nmap/nmap-os-db, or
// $STACKPRINT_DB): an emulator serving a /16 draws 65,534 of them before it answers anything.
//   all_references         - every reference in turn, a new seed each time (as `--personality
//                            random` spreads over the database)
//   all_references_cached  - the same with one IsnPlanCache for the whole run, as `emulate` draws a
//                            block (after the first pass over the database every plan is cached)
// items/s = personalities per second (CPU time of this thread).

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>

#include "stackprint/database/os_db.hpp"
#include "stackprint/emulation/personality.hpp"

namespace {

using stackprint::database::OsDb;

const OsDb& db() {
  static const OsDb parsed = [] {
    const char* env = std::getenv("STACKPRINT_DB"); // NOLINT(concurrency-mt-unsafe)
    const std::string path =
        env != nullptr && *env != '\0' ? env : std::string(stackprint::database::k_default_db_path);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto r = stackprint::database::parse_os_db(ss.str(), path);
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
  }();
  return parsed;
}

void run_all_references(benchmark::State& state, stackprint::emulation::IsnPlanCache* cache) {
  const OsDb& d = db();
  std::size_t reference = 0;
  std::uint64_t seed = 1;
  std::size_t unsatisfied = 0;
  for (auto _ : state) {
    auto personality = stackprint::emulation::make_personality(d, reference, seed++, cache);
    if (!personality) {
      state.SkipWithError(personality.error().message.c_str());
      break;
    }
    unsatisfied += personality->unsatisfied.size();
    benchmark::DoNotOptimize(personality);
    reference = (reference + 1) % d.references().size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["unsatisfied_per_host"] =
      benchmark::Counter(static_cast<double>(unsatisfied), benchmark::Counter::kAvgIterations);
}
void bm_all_references(benchmark::State& state) { run_all_references(state, nullptr); }
BENCHMARK(bm_all_references)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

void bm_all_references_cached(benchmark::State& state) {
  stackprint::emulation::IsnPlanCache cache;
  run_all_references(state, &cache);
  state.counters["cached_plans"] = static_cast<double>(cache.size());
}
BENCHMARK(bm_all_references_cached)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

} // namespace

BENCHMARK_MAIN();
