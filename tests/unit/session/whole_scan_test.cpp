// Whole scans without root: a ScanSession pumped by the scan loop (io::run_scan_session) over a
// simulated network whose hosts are the emulator's responders (emulation::Responder playing
// nmap-os-db references), on a manual clock. The same code as `stackprint scan` from the first
// target to the last report; only the Transport is simulated (io::EmulatedNetwork, which
// `stackprint emulate --self-check` scans too).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/cli/exit_status.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/responder.hpp"
#include "stackprint/emulation/self_check.hpp"
#include "stackprint/io/emulated_network.hpp"
#include "stackprint/io/scan_loop.hpp"
#include "stackprint/scoring/os_report.hpp"
#include "stackprint/session/host_reports.hpp"
#include "stackprint/session/scan_session.hpp"
#include "support/installed_db.hpp"

namespace stackprint::session {
namespace {

using namespace std::chrono_literals;
using test_support::installed_db;

constexpr std::uint32_t k_us = 0x0A0B0001;    // 10.11.0.1
constexpr std::uint32_t k_first = 0x0A0B0002; // 10.11.0.2, the first emulated host

using io::EmulatedNetwork;

// `count` hosts from k_first, each playing one reference spread over the database.
std::map<std::uint32_t, std::size_t> emulate(EmulatedNetwork& network, const database::OsDb& db, std::size_t count) {
  std::map<std::uint32_t, std::size_t> played;
  const std::size_t step = db.references().size() / (count + 1);
  for (std::size_t ref = step; played.size() < count && ref < db.references().size(); ref += step) {
    const std::uint32_t address = k_first + static_cast<std::uint32_t>(played.size());
    const std::uint64_t seed = 9000 + ref;
    auto personality = emulation::make_personality(db, ref, seed);
    if (!personality) { continue; }
    network.add_host(emulation::Responder(std::move(*personality), {address, {22, 80}, seed}));
    played[address] = ref;
  }
  return played;
}

struct ScanOutcome {
  std::map<std::uint32_t, output::HostReport> reports;
  std::map<std::uint32_t, io::MonotonicTime> reported_at; // when the scan reported the host
  std::vector<std::string> bad_targets;
  SessionTotals totals;
  Expected<io::ScanLoopStats> stats = fail("not run");
  int exit_status = -1;
};

// Scans `targets` (in order) as `stackprint scan` does, with the installed database's matcher.
ScanOutcome whole_scan(EmulatedNetwork& network, io::ManualClock& clock, const database::OsDb& db,
                       std::vector<Expected<targets::Target>> targets, double max_rate = 0,
                       const std::atomic<bool>* stop = nullptr) {
  scoring::Matcher matcher(db);
  ScanSessionConfig config;
  config.os.source_address = k_us;
  config.rate.packets_per_second = max_rate;
  config.congestion = engine::CongestionConfig{};
  config.congestion->max_rate = max_rate;
  config.discovery_ports.tcp = {22, 80, 443};
  config.source = Ipv4Address{k_us};
  config.max_hosts_in_flight = 64;
  config.batch_size = 16;
  config.seed = 77;
  std::size_t fed = 0;
  TargetFeed feed = [&]() -> std::optional<Expected<targets::Target>> {
    if (fed == targets.size()) { return std::nullopt; }
    return targets[fed++];
  };
  ScanSession scan(config, feed, round_judge(matcher));
  ScanOutcome run;
  const auto now_s = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.wall_now().time_since_epoch()).count();
  };
  io::ScanLoopLimits limits;
  limits.stop = stop;
  limits.on_turn = [&] {
    for (auto& event : scan.take_events()) {
      if (auto* bad = std::get_if<BadTarget>(&event)) {
        run.bad_targets.push_back(bad->message);
      } else if (auto* down = std::get_if<HostDown>(&event)) {
        run.reports[down->context.target.address.value] = down_host_report(down->context, now_s());
        run.reported_at[down->context.target.address.value] = clock.monotonic_now();
      } else if (auto* done = std::get_if<HostScanned>(&event)) {
        run.reports[done->context.target.address.value] =
            os_host_report(done->context, done->os, matcher, true, {}, now_s());
        run.reported_at[done->context.target.address.value] = clock.monotonic_now();
      }
    }
  };
  run.stats = io::run_scan_session(network, scan, clock, limits);
  run.totals = scan.totals();
  run.exit_status = cli::scan_exit_status(stop != nullptr && stop->load(), true, run.totals.hosts_up);
  return run;
}

std::vector<Expected<targets::Target>> addresses(std::uint32_t first, std::size_t count) {
  std::vector<Expected<targets::Target>> out;
  for (std::uint32_t a = first; a < first + count; ++a) { out.emplace_back(targets::Target{Ipv4Address{a}, {}}); }
  return out;
}

// As tests/lab/emulate_judge.py judges: the first reported match is the reference (or has its name
// or its test values), or the reference is among the perfect matches reported.
bool named_right(const database::OsDb& db, const output::HostReport& report, std::size_t ref) {
  const scoring::MatchResult& result = report.final_match();
  const scoring::OsReport os = scoring::build_os_report(db, result, {});
  if (os.xml_matches.empty()) { return false; }
  const std::size_t top = result.matches[os.xml_matches.front()].reference;
  bool right =
      top == ref || emulation::same_test_values(db, top, ref) || db.references()[top].name == db.references()[ref].name;
  for (const std::size_t i : os.xml_matches) {
    right = right || (result.matches[i].reference == ref && result.matches[i].accuracy == 1.0);
  }
  return right;
}

io::ManualClock start_clock() { return {io::MonotonicTime{} + 1000s, Timestamp(std::chrono::seconds(1'800'000'000))}; }

// Each test scans its own simulated network on its own manual clock, with the installed database.
class WholeScan : public ::testing::Test {
protected:
  void SetUp() override {
    db = installed_db();
    if (db == nullptr) { GTEST_SKIP() << "no installed nmap-os-db"; }
  }
  const database::OsDb* db = nullptr;
  io::ManualClock clock = start_clock();
  EmulatedNetwork network{clock};
};

TEST_F(WholeScan, EveryEmulatedHostIsReportedWithItsReferenceOnTop) {
  const auto played = emulate(network, *db, 12);
  ASSERT_EQ(played.size(), 12U);
  // Two more addresses that nobody answers: down.
  const ScanOutcome run = whole_scan(network, clock, *db, addresses(k_first, played.size() + 2));
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.totals.hosts_up, 12U);
  EXPECT_EQ(run.totals.hosts_down, 2U);
  EXPECT_EQ(run.totals.hosts_fingerprinted, 12U);
  ASSERT_EQ(run.reports.size(), 14U);
  std::size_t right = 0;
  for (const auto& [address, ref] : played) {
    const output::HostReport& report = run.reports.at(address);
    EXPECT_TRUE(report.up);
    EXPECT_TRUE(report.os_detection);
    EXPECT_FALSE(report.results_unreliable) << "port 80 open, 443 closed";
    const bool ok = named_right(*db, report, ref);
    right += ok ? 1 : 0;
    EXPECT_TRUE(ok) << to_string(Ipv4Address{address}) << " plays " << db->references()[ref].name;
  }
  EXPECT_EQ(right, played.size());
  for (std::uint32_t a = k_first + 12; a < k_first + 14; ++a) {
    EXPECT_FALSE(run.reports.at(a).up);
    EXPECT_FALSE(run.reports.at(a).os_detection);
  }
  EXPECT_EQ(run.exit_status, cli::k_exit_ok);
}

// A host goes on to OS detection when its own port scan is done, not when its whole batch is: an
// address that never answers keeps its batch's discovery waiting for its re-sends, and the hosts
// that answered must not wait with it (the rate they could use would go unused).
TEST_F(WholeScan, HostsLeaveDiscoveryWithoutWaitingForTheirBatch) {
  const auto played = emulate(network, *db, 4);
  ASSERT_EQ(played.size(), 4U);
  const std::uint32_t silent = k_first + 4; // in the same batch of 16
  const ScanOutcome run = whole_scan(network, clock, *db, addresses(k_first, played.size() + 1));
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.totals.batches, 1U);
  EXPECT_EQ(run.totals.hosts_down, 1U);
  ASSERT_EQ(run.reported_at.count(silent), 1U);
  for (const auto& [address, ref] : played) {
    ASSERT_EQ(run.reported_at.count(address), 1U);
    EXPECT_LT(run.reported_at.at(address), run.reported_at.at(silent))
        << to_string(Ipv4Address{address}) << " was fingerprinted only after the silent address was given up";
  }
}

TEST_F(WholeScan, MaxRateBoundsEverySendOverAnySecond) {
  constexpr double k_rate = 300;
  const auto played = emulate(network, *db, 40);
  ASSERT_EQ(played.size(), 40U);
  const ScanOutcome run = whole_scan(network, clock, *db, addresses(k_first, played.size()), k_rate);
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.totals.hosts_fingerprinted, 40U);
  const std::size_t peak = network.peak_sends(1s);
  EXPECT_LE(static_cast<double>(peak), 1.05 * k_rate) << network.sends().size() << " packets";
  EXPECT_GE(static_cast<double>(peak), 0.8 * k_rate) << "the rate is used";
  std::size_t right = 0;
  for (const auto& [address, ref] : played) { right += named_right(*db, run.reports.at(address), ref) ? 1 : 0; }
  EXPECT_GE(right, played.size() - 1) << "a polite scan names the hosts as a fast one does";
  std::printf("[ figures  ] --max-rate %.0f: peak %zu sends in 1 s, %zu sends, %zu of %zu hosts named right\n", k_rate,
              peak, network.sends().size(), right, played.size());
}

// Under --max-rate, port discovery is served before the OS probes other than SEQ trains: the OS
// probes of hosts already handed over must not starve the discovery of the next ones, or the hosts
// whose discovery waits longest (silent ports, silent addresses) start last and finish last, with
// the rate unused while they wait. Four silent addresses at the end of the list: each is down
// after two sends of each port 1 s apart, so about 2 s after the scan starts when discovery gets
// its tokens.
TEST_F(WholeScan, UnderMaxRateDiscoveryIsNotStarvedByOsProbes) {
  constexpr double k_rate = 300;
  const auto played = emulate(network, *db, 40);
  ASSERT_EQ(played.size(), 40U);
  const io::MonotonicTime start = clock.monotonic_now();
  const ScanOutcome run = whole_scan(network, clock, *db, addresses(k_first, played.size() + 4), k_rate);
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.totals.hosts_down, 4U);
  EXPECT_LE(static_cast<double>(network.peak_sends(1s)), 1.05 * k_rate);
  for (std::uint32_t a = k_first + 40; a < k_first + 44; ++a) {
    ASSERT_EQ(run.reported_at.count(a), 1U);
    const double down_s = std::chrono::duration<double>(run.reported_at.at(a) - start).count();
    EXPECT_LE(down_s, 3.0) << to_string(Ipv4Address{a}) << " reported down " << down_s << " s into the scan";
  }
}

TEST_F(WholeScan, BadTargetsAreReportedAndTheRestIsScanned) {
  const auto played = emulate(network, *db, 2);
  ASSERT_EQ(played.size(), 2U);
  std::vector<Expected<targets::Target>> targets;
  targets.emplace_back(fail("cannot resolve no-such-host.invalid"));
  targets.emplace_back(targets::Target{Ipv4Address{k_first}, {}});
  targets.emplace_back(fail("cannot resolve another.invalid"));
  targets.emplace_back(targets::Target{Ipv4Address{k_first + 1}, {}});
  const ScanOutcome run = whole_scan(network, clock, *db, std::move(targets));
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.bad_targets,
            (std::vector<std::string>{"cannot resolve no-such-host.invalid", "cannot resolve another.invalid"}));
  EXPECT_EQ(run.totals.bad_targets, 2U);
  EXPECT_EQ(run.totals.hosts_fingerprinted, 2U);
  EXPECT_EQ(run.exit_status, cli::k_exit_ok);
}

TEST_F(WholeScan, ExitStatusIsFailureWhenEveryHostIsDownAndInterruptedWhenStopped) {
  {
    // Nobody answers on the fixture's network.
    const ScanOutcome run = whole_scan(network, clock, *db, addresses(k_first, 3));
    ASSERT_TRUE(run.stats);
    EXPECT_EQ(run.totals.hosts_down, 3U);
    EXPECT_EQ(run.reports.size(), 3U);
    EXPECT_EQ(run.exit_status, cli::k_exit_failure);
  }
  {
    io::ManualClock clock2 = start_clock();
    EmulatedNetwork network2(clock2);
    (void)emulate(network2, *db, 2);
    const std::atomic<bool> stop{true};
    const ScanOutcome run = whole_scan(network2, clock2, *db, addresses(k_first, 2), 0, &stop);
    ASSERT_TRUE(run.stats);
    EXPECT_TRUE(run.stats->interrupted);
    EXPECT_TRUE(network2.sends().empty());
    EXPECT_EQ(run.exit_status, cli::k_exit_interrupted);
  }
}

} // namespace
} // namespace stackprint::session
