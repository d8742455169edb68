// `stackprint replay --pcap FILE --target IP [--wrapped] [--option-walk 7.93|fixed]`: the subject
// fingerprint of an OS-detection run recorded in a capture (Nmap 7.93's or stackprint's).

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/io/capture_file.hpp"
#include "stackprint/response_tests/ttl.hpp"
#include "stackprint/responses/recorded_run.hpp"
#include "stackprint/responses/run_fingerprint.hpp"
#include "stackprint/wire/ipv4_address.hpp"

namespace stackprint::cli {
namespace {

struct ReplayOptions {
  std::string pcap;
  std::string target;
  bool wrapped = false;
  bool each_round = false;
  int timing_level = 3;
  std::string option_walk = "7.93";
};

// A reply whose TTL is still a common initial value crossed no router: the MAC it came from is
// the target's own, as Nmap knows from ARP on a shared segment.
bool target_on_our_segment(const responses::RecordedRun& run) {
  for (const auto& round : run.rounds) {
    const auto& r = round.replies;
    for (const auto* reply : {r.t[0] ? &*r.t[0] : nullptr, r.ecn ? &*r.ecn : nullptr, r.t[4] ? &*r.t[4] : nullptr,
                              r.echo[0] ? &*r.echo[0] : nullptr, r.u1 ? &*r.u1 : nullptr}) {
      if (reply != nullptr) {
        const std::uint8_t ttl = reply->packet.ip.ttl;
        return ttl == response_tests::initial_ttl_guess(ttl);
      }
    }
  }
  return false;
}

int run_replay(const ReplayOptions& options) {
  const auto target = wire::parse_ipv4_address(options.target);
  if (!target) {
    std::fprintf(stderr, "stackprint replay: --target: %s\n", target.error().message.c_str());
    return k_exit_bad_input;
  }
  const auto capture = io::read_capture_file(options.pcap);
  if (!capture) {
    std::fprintf(stderr, "stackprint replay: %s\n", capture.error().message.c_str());
    return k_exit_bad_input;
  }
  const auto run = responses::reconstruct_run(capture->frames, *target);
  if (!run) {
    std::fprintf(stderr, "stackprint replay: %s: %s %s\n", options.pcap.c_str(), run.error().message.c_str(),
                 options.target.c_str());
    return k_exit_bad_input;
  }
  if (capture->skipped > 0) {
    std::fprintf(stderr, "stackprint replay: skipped %llu frame(s) that are not IPv4 (ARP, IPv6, ...)\n",
                 static_cast<unsigned long long>(capture->skipped));
  }
  if (run->unparsed_frames > 0) {
    std::fprintf(stderr, "stackprint replay: skipped %llu IPv4 frame(s) that do not parse\n",
                 static_cast<unsigned long long>(run->unparsed_frames));
  }

  responses::RunFacts facts;
  facts.target_address = *target;
  facts.scanning_localhost = *target == run->scanner_address;
  facts.open_tcp_port = run->open_tcp_port;
  facts.closed_tcp_port = run->closed_tcp_port;
  facts.closed_udp_port = run->closed_udp_port;
  facts.closed_tcp_port_known = run->closed_tcp_port_known;
  facts.closed_udp_port_known = run->closed_udp_port_known;
  facts.udp_port_scan = run->udp_port_scan;
  if (run->target_mac && target_on_our_segment(*run)) {
    facts.direct_target_mac = run->target_mac;
  }
  facts.scan_delay_ms = run->inferred_scan_delay_ms;
  facts.timing_level = options.timing_level;
  facts.start = run->rounds.front().start;
  facts.option_walk = options.option_walk == "fixed" ? response_tests::OptionWalk::skip_unknown_by_length
                                                     : response_tests::OptionWalk::nmap_7_93;

  std::vector<responses::RoundInput> rounds;
  for (const auto& round : run->rounds) {
    rounds.push_back({&round.replies, &round.context});
  }
  const auto result = responses::fingerprint_run(rounds, facts);
  const std::string text = options.wrapped ? fingerprint::format_wrapped(result.merged)
                                           : fingerprint::format_plain(result.merged);
  std::fputs(text.c_str(), stdout);
  if (options.each_round) {
    for (std::size_t i = 0; i < result.rounds.size(); ++i) {
      std::printf("# round %zu\n%s", i + 1, fingerprint::format_plain(result.rounds[i].fingerprint).c_str());
    }
  }
  return k_exit_ok;
}

} // namespace

void add_replay_command(CLI::App& app, int& status) {
  auto options = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Print the subject fingerprint of an OS-detection run recorded in a capture");
  cmd->add_option("--pcap", options->pcap, "Capture file (pcap or pcapng) of the run")->required();
  cmd->add_option("--target", options->target, "IPv4 address of the fingerprinted host")->required();
  cmd->add_flag("--wrapped", options->wrapped, "Print Nmap's OS:-prefixed wrapped form");
  cmd->add_option("-T,--timing-level", options->timing_level,
                  "Nmap timing template the run used (0-5; a capture does not show it, and 5 makes G=N)")
      ->check(CLI::Range(0, 5));
  cmd->add_flag("--each-round", options->each_round,
                "After the merged fingerprint, print each round's own fingerprint (what matching uses)");
  cmd->add_option("--option-walk", options->option_walk,
                  "TCP option string rules: 7.93 (bit-compatible, default) or fixed (skip unknown options by length)")
      ->check(CLI::IsMember({"7.93", "fixed"}));
  cmd->callback([options, &status] { status = run_replay(*options); });
}

} // namespace stackprint::cli
