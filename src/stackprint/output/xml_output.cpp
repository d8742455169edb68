#include "stackprint/output/xml_output.hpp"

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/output/os_section.hpp"
#include "stackprint/output/time_text.hpp"
#include "stackprint/scoring/os_report.hpp"

namespace stackprint::output {
namespace {

std::string attr(std::string_view name, std::string_view value) {
  return fmt::format(" {}=\"{}\"", name, xml_escape(value));
}

std::string mac_text(const std::array<std::uint8_t, 6>& mac) {
  return fmt::format("{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

std::string osmatch(const database::OsDb& db, const scoring::Match& match) {
  const database::Reference& ref = db.references()[match.reference];
  const std::string accuracy = std::to_string(scoring::percent(match.accuracy));
  std::string out =
      "<osmatch" + attr("name", ref.name) + attr("accuracy", accuracy) + attr("line", std::to_string(ref.line)) + ">\n";
  for (const database::OsClass& c : ref.classes) {
    out += "<osclass" + attr("type", c.device_type) + attr("vendor", c.vendor) + attr("osfamily", c.family);
    if (c.generation && !c.generation->empty()) out += attr("osgen", *c.generation);
    out += attr("accuracy", accuracy) + ">";
    for (const database::Cpe& cpe : c.cpes) out += "<cpe>" + xml_escape(cpe.uri) + "</cpe>";
    out += "</osclass>\n";
  }
  out += "</osmatch>\n";
  return out;
}

std::string portused(const char* state, const char* proto, const std::optional<std::uint16_t>& port) {
  if (!port || *port == 0) return {};
  return fmt::format("<portused state=\"{}\" proto=\"{}\" portid=\"{}\"/>\n", state, proto, *port);
}

} // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char previous = '\0';
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    switch (ch) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    case '-': out += previous == '-' ? "&#45;" : "-"; break;
    default:
      if (byte < 0x20 || byte >= 0x7F) {
        out += fmt::format("&#x{:x};", byte);
      } else {
        out += ch;
      }
    }
    previous = ch;
  }
  return out;
}

std::string xml_header(const RunInfo& run, const OutputOptions& options) {
  const std::string startstr = ctime_text(run.start_s, options.zone);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n";
  if (!run.stylesheet.empty()) {
    out += "<?xml-stylesheet href=\"" + xml_escape(run.stylesheet) + "\" type=\"text/xsl\"?>\n";
  }
  out += "<!-- stackprint " + xml_escape(run.program_version) + " scan initiated " + startstr +
         " as: " + xml_escape(run.args) + " -->\n";
  out += "<nmaprun" + attr("scanner", "nmap") + attr("args", run.args) + attr("start", std::to_string(run.start_s)) +
         attr("startstr", startstr) + attr("version", run.program_version) + attr("xmloutputversion", "1.05") + ">\n";
  for (const ScanInfo& s : run.scaninfo) {
    out += "<scaninfo" + attr("type", s.type) + attr("protocol", protocol_name(s.protocol)) +
           attr("numservices", std::to_string(s.count)) + attr("services", s.services) + "/>\n";
  }
  out += fmt::format("<verbose level=\"{}\"/>\n<debugging level=\"{}\"/>\n", options.verbosity, options.debugging);
  return out;
}

std::string xml_host(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                     std::int64_t now_s) {
  std::string out = fmt::format(R"(<host starttime="{}" endtime="{}">)", host.start_s, host.end_s);
  out += "<status" + attr("state", host.up ? "up" : "down") +
         attr("reason", host.status_reason.empty() ? "unknown" : host.status_reason) + attr("reason_ttl", "0") + "/>\n";
  out += "<address" + attr("addr", to_string(Ipv4Address{host.address})) + attr("addrtype", "ipv4") + "/>\n";
  if (host.mac) {
    out += "<address" + attr("addr", mac_text(*host.mac)) + attr("addrtype", "mac");
    if (!host.mac_vendor.empty()) out += attr("vendor", host.mac_vendor);
    out += "/>\n";
  }
  out += "<hostnames>\n</hostnames>\n";
  if (!host.ports.empty()) {
    out += "<ports>";
    for (const PortLine& p : host.ports) {
      out += "<port" + attr("protocol", protocol_name(p.protocol)) + attr("portid", std::to_string(p.port)) + ">";
      out += "<state" + attr("state", port_state_name(p.state)) +
             attr("reason", p.reason.empty() ? "unknown" : p.reason) +
             attr("reason_ttl", std::to_string(p.reason_ttl.value_or(0))) + "/>";
      if (!p.service.empty())
        out += "<service" + attr("name", p.service) + attr("method", "table") + attr("conf", "3") + "/>";
      out += "</port>\n";
    }
    out += "</ports>\n";
  }
  if (host.up && host.os_detection) {
    const OsSection section = build_os_section(db, host, options);
    out += "<os>";
    out += portused("open", "tcp", host.run.scan.open_tcp_port);
    out += portused("closed", "tcp", host.run.scan.closed_tcp_port);
    out += portused("closed", "udp", host.run.scan.closed_udp_port);
    const scoring::MatchResult& result = host.final_match();
    for (const std::size_t i : section.xml_matches) out += osmatch(db, result.matches[i]);
    if (section.fingerprint) out += "<osfingerprint" + attr("fingerprint", *section.fingerprint) + "/>\n";
    out += "</os>\n";

    const HostSequenceFacts facts = host_sequence_facts(host, now_s);
    if (facts.lastboot_s) {
      out += "<uptime" + attr("seconds", std::to_string(*facts.uptime_s)) +
             attr("lastboot", ctime_text(*facts.lastboot_s, options.zone)) + "/>\n";
    }
    if (facts.distance) out += "<distance" + attr("value", std::to_string(*facts.distance)) + "/>\n";
    if (facts.responses > 3) {
      out += "<tcpsequence" + attr("index", std::to_string(facts.difficulty_index)) +
             attr("difficulty", facts.difficulty_words) + attr("values", hex_list(facts.isns)) + "/>\n";
    }
    if (facts.responses > 2) {
      out += "<ipidsequence" + attr("class", facts.ip_id_words) + attr("values", hex_list(facts.ip_ids)) + "/>\n";
      out += "<tcptssequence" + attr("class", facts.ts_words);
      if (facts.ts_values_shown) out += attr("values", hex_list(facts.tsvals));
      out += "/>\n";
    }
    // stackprint only: the probes blamed on a filter, as a host script result (nmap.dtd has no
    // other place for free-form host facts; Nmap's readers show or skip scripts they do not know).
    if (const auto missing = missing_tests_line(host)) {
      out += "<hostscript><script" + attr("id", "stackprint-missing-tests") + attr("output", *missing) + ">";
      out += "<table key=\"filtered\">";
      for (const auto& name : host.run.silence.filtered_tests) out += "<elem>" + xml_escape(name) + "</elem>";
      out += "</table>";
      out += "<elem key=\"matched_without_them\">" + std::string(host.partial_match ? "true" : "false") + "</elem>";
      out += "<elem key=\"evidence\">" + xml_escape(host.run.silence.evidence) + "</elem>";
      out += "</script></hostscript>\n";
    }
  }
  out += "</host>\n";
  return out;
}

std::string xml_footer(const RunSummary& summary, const TimeZone& zone) {
  const std::string timestr = ctime_text(summary.end_s, zone);
  const unsigned total = summary.hosts_up + summary.hosts_down;
  const std::string elapsed = fmt::format("{:.2f}", summary.elapsed_s);
  const std::string text =
      fmt::format("stackprint done at {}; {} IP address{} ({} host{} up) scanned in {} seconds", timestr, total,
                  total == 1 ? "" : "es", summary.hosts_up, summary.hosts_up == 1 ? "" : "s", elapsed);
  std::string out = "<runstats><finished" + attr("time", std::to_string(summary.end_s)) + attr("timestr", timestr) +
                    attr("summary", text) + attr("elapsed", elapsed) +
                    attr("exit", summary.success ? "success" : "error");
  if (!summary.success && !summary.error_message.empty()) out += attr("errormsg", summary.error_message);
  out += fmt::format("/><hosts up=\"{}\" down=\"{}\" total=\"{}\"/>\n</runstats>\n</nmaprun>\n", summary.hosts_up,
                     summary.hosts_down, total);
  return out;
}

} // namespace stackprint::output
