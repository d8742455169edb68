// `stackprint merge -oN/-oX` on shard outputs gives the reports a single process writes, modulo
// timing fields. Every recorded run is replayed (`stackprint replay -oN -oX -oJ`, the same writers
// as a scan); its JSON line, labelled as a shard, is merged back and the merged normal and XML
// reports must equal the replay's byte for byte except the elapsed time. The captures are then
// spread over 4 shards of one scan: the merged host blocks must be the replayed ones in address
// order, and the merged XML must be valid against nmap.dtd.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/captures.hpp"
#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const fs::path k_dtd = "/usr/share/nmap/nmap.dtd";

// The elapsed time: a replay takes it from the capture (1.47 s), a merge from whole-second host times.
std::string without_elapsed(std::string text) {
  text = std::regex_replace(text, std::regex("scanned in [0-9.]+ seconds"), "scanned in X seconds");
  return std::regex_replace(text, std::regex("elapsed=\"[0-9.]+\""), "elapsed=\"X\"");
}

struct Replayed {
  std::string name;
  std::string flags; // -v, -vv, -d, --osscan-guess as the recorded Nmap run used them
  std::string normal;
  std::string xml;
  json host; // the JSON line, labelled as a shard
  std::string target;
};

// Replays one capture into `out` and labels its JSON line as shard index/count of scan `scan_id`.
// `flags`: the reporting flags, or nullptr for those of the recorded Nmap run.
Replayed replay(const std::string& name, const fs::path& out, std::uint32_t index, std::uint32_t count,
                const char* flags = nullptr) {
  const fs::path dir = test_support::captures_dir() / name;
  const auto meta = nlohmann::json::parse(test_support::read_file(dir / "meta.json"));
  Replayed r;
  r.name = name;
  r.target = meta.at("target_ip").get<std::string>();
  for (const auto& word : meta.at("nmap_command")) {
    const std::string w = word.get<std::string>();
    if (w == "--osscan-guess" || w == "-v" || w == "-vv" || w == "-d") r.flags += " " + w;
  }
  if (flags != nullptr) r.flags = flags;
  const std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                              "' --target " + r.target + r.flags + " -oN '" + (out / (name + ".nmap")).string() +
                              "' -oX '" + (out / (name + ".xml")).string() + "' -oJ '" +
                              (out / (name + ".json")).string() + "' 2>/dev/null";
  EXPECT_EQ(test_support::run_command(command).status, 0) << command;
  r.normal = test_support::read_file(out / (name + ".nmap"));
  r.xml = test_support::read_file(out / (name + ".xml"));
  r.host = json::parse(test_support::read_file(out / (name + ".json")));
  // The run-level facts a scan records in each shard's host objects, here the replay's.
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(r.xml.c_str()));
  const pugi::xml_node run = doc.child("nmaprun");
  json scaninfo = json::array();
  for (const pugi::xml_node s : run.children("scaninfo")) {
    scaninfo.push_back(json{{"type", s.attribute("type").value()},
                            {"protocol", s.attribute("protocol").value()},
                            {"services", s.attribute("services").value()},
                            {"numservices", s.attribute("numservices").as_int()}});
  }
  json shard{{"index", index},
             {"count", count},
             {"seed", 7},
             {"scan_id", "00000000000000aa"},
             {"args", run.attribute("args").value()},
             {"start", run.attribute("start").as_llong()},
             {"scaninfo", std::move(scaninfo)}};
  json labelled;
  for (const auto& [key, value] : r.host.items()) {
    labelled[key] = value;
    if (key == "end") labelled["shard"] = shard;
  }
  r.host = std::move(labelled);
  return r;
}

std::string merge(const fs::path& out, const std::string& arguments) {
  const std::string command =
      "cd '" + out.string() + "' && " + STACKPRINT_BINARY + " merge " + arguments + " 2>merge.err";
  const auto result = test_support::run_command(command);
  EXPECT_EQ(result.status, 0) << command << "\n" << test_support::read_file(out / "merge.err");
  return test_support::read_file(out / "merge.err");
}

class MergeReports : public ::testing::Test {
protected:
  void SetUp() override {
    m_out = fs::path(testing::TempDir()) /
            ("stackprint_merge_reports_" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_out);
    fs::create_directories(m_out);
  }
  void TearDown() override { fs::remove_all(m_out); }
  fs::path m_out;
};

TEST_F(MergeReports, EveryRecordedRunReadsBackToTheSameReports) {
  const auto names = test_support::captures_with({"capture.pcap", "meta.json"});
  ASSERT_GT(names.size(), 20U);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Replayed r = replay(name, m_out, 1, 1);
    std::ofstream(m_out / "shard.json") << r.host.dump() << "\n";
    EXPECT_EQ(merge(m_out, "-oN merged.nmap -oX merged.xml" + r.flags + " shard.json"), "");
    EXPECT_EQ(without_elapsed(test_support::read_file(m_out / "merged.nmap")), without_elapsed(r.normal));
    EXPECT_EQ(without_elapsed(test_support::read_file(m_out / "merged.xml")), without_elapsed(r.xml));
  }
}

// The host block of a normal report: from "Nmap scan report for" to its blank line.
std::string host_block(const std::string& report) {
  const auto begin = report.find("Nmap scan report for");
  const auto end = report.find("\n\n", begin);
  return begin == std::string::npos || end == std::string::npos ? "" : report.substr(begin, end + 2 - begin);
}

TEST_F(MergeReports, FourShardsMergeIntoOneValidReportInAddressOrder) {
  // The recordings share few target addresses, so each host object gets its own address (in
  // descending order, so the merge has to sort them); the replayed block is renamed to match.
  std::map<std::uint32_t, Replayed> by_address;
  std::vector<std::string> shard_lines(4);
  const auto names = test_support::captures_with({"capture.pcap", "meta.json"});
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) {
    const auto index = static_cast<std::uint32_t>(i % 4 + 1);
    Replayed r = replay(names[i], m_out, index, 4, " -vv");
    const std::uint32_t last = 200 - static_cast<std::uint32_t>(i);
    const std::string target = "10.215.0." + std::to_string(last);
    r.host["target"] = target;
    r.normal =
        std::regex_replace(r.normal, std::regex("Nmap scan report for [0-9.]+"), "Nmap scan report for " + target);
    shard_lines[index - 1] += r.host.dump() + "\n";
    by_address.emplace((10U << 24) | (215U << 16) | last, std::move(r));
  }
  ASSERT_GE(by_address.size(), 4U);
  for (std::size_t s = 0; s < 4; ++s)
    std::ofstream(m_out / ("shard" + std::to_string(s + 1) + ".json")) << shard_lines[s];
  EXPECT_EQ(merge(m_out,
                  "-vv -oN merged.nmap -oX merged.xml -oJ merged.json shard4.json shard2.json shard1.json shard3.json"),
            "");

  std::string expected_blocks;
  for (const auto& [address, r] : by_address) expected_blocks += host_block(r.normal);
  const std::string merged = test_support::read_file(m_out / "merged.nmap");
  std::string merged_blocks;
  for (auto pos = merged.find("Nmap scan report for"); pos != std::string::npos;
       pos = merged.find("Nmap scan report for", pos + 1)) {
    merged_blocks += host_block(merged.substr(pos));
  }
  EXPECT_EQ(merged_blocks, expected_blocks);
  EXPECT_NE(merged.find(std::to_string(by_address.size()) + " IP addresses (" + std::to_string(by_address.size()) +
                        " hosts up)"),
            std::string::npos)
      << merged;

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file((m_out / "merged.xml").c_str()));
  std::size_t hosts = 0;
  for (const pugi::xml_node host : doc.child("nmaprun").children("host")) {
    (void)host;
    ++hosts;
  }
  EXPECT_EQ(hosts, by_address.size());
  ASSERT_TRUE(fs::exists(k_dtd)) << "nmap.dtd (Debian's nmap-common) is needed to check the XML";
  const auto valid = test_support::run_command("xmllint --noout --dtdvalid " + k_dtd.string() + " '" +
                                               (m_out / "merged.xml").string() + "' 2>&1");
  EXPECT_EQ(valid.status, 0) << valid.out;
  const std::string merged_json = test_support::read_file(m_out / "merged.json");
  EXPECT_EQ(std::count(merged_json.begin(), merged_json.end(), '\n'), static_cast<std::ptrdiff_t>(by_address.size()));
}

} // namespace
} // namespace stackprint
