#include "stackprint/response_tests/lines.hpp"

#include <algorithm>

#include "stackprint/response_tests/ie.hpp"
#include "stackprint/response_tests/tcp_reply.hpp"
#include "stackprint/response_tests/u1.hpp"

namespace stackprint::response_tests {
namespace {

class LineBuilder {
public:
  explicit LineBuilder(std::string name) : m_line{std::move(name), {}} {}
  LineBuilder& add(std::string name, std::string value) {
    m_line.attributes.push_back({std::move(name), std::move(value)});
    return *this;
  }
  LineBuilder& add(const TtlAttribute& ttl) { return add(ttl.name, ttl.value); }
  fingerprint::TestLine done() { return std::move(m_line); }

private:
  fingerprint::TestLine m_line;
};

} // namespace

fingerprint::TestLine ops_line(const std::array<std::string, 6>& option_strings) {
  LineBuilder b("OPS");
  for (std::size_t i = 0; i < 6; ++i) b.add("O" + std::to_string(i + 1), option_strings[i]);
  return b.done();
}

fingerprint::TestLine win_line(const std::array<std::uint16_t, 6>& windows) {
  LineBuilder b("WIN");
  for (std::size_t i = 0; i < 6; ++i) b.add("W" + std::to_string(i + 1), window_value(windows[i]));
  return b.done();
}

fingerprint::TestLine ecn_line(const TcpReplyFields& r, const TtlAttribute& ttl, OptionWalk walk) {
  return LineBuilder("ECN")
      .add("R", "Y")
      .add("DF", dont_fragment_value(r.df))
      .add(ttl)
      .add("W", window_value(r.window))
      .add("O", tcp_option_string(r.options, walk, r.after_options))
      .add("CC", ecn_cc_value(r.flags))
      .add("Q", tcp_quirks_value(r.reserved_nibble, r.flags, r.urgent_pointer))
      .done();
}

fingerprint::TestLine t_line(int number, const TcpReplyFields& r, ProbeNumbers probe, const TtlAttribute& ttl,
                             OptionWalk walk) {
  number = std::clamp(number, 1, 7);
  LineBuilder b("T" + std::to_string(number));
  b.add("R", "Y").add("DF", dont_fragment_value(r.df)).add(ttl);
  if (number != 1) b.add("W", window_value(r.window));
  b.add("S", tcp_seq_value(r.seq, probe.ack))
      .add("A", tcp_ack_value(r.ack, probe.seq))
      .add("F", tcp_flags_value(r.flags));
  if (number != 1) b.add("O", tcp_option_string(r.options, walk, r.after_options));
  b.add("RD", rst_data_value(r.flags, r.rst_payload))
      .add("Q", tcp_quirks_value(r.reserved_nibble, r.flags, r.urgent_pointer));
  return b.done();
}

fingerprint::TestLine u1_line(const U1ReplyFields& r, const U1ProbeFields& probe, const TtlAttribute& ttl,
                              bool include_rid) {
  LineBuilder b("U1");
  b.add("R", "Y")
      .add("DF", dont_fragment_value(r.df))
      .add(ttl)
      .add("IPL", u1_ipl_value(r.ip_total_length))
      .add("UN", u1_un_value(r.icmp_unused))
      .add("RIPL", u1_ripl_value(r.quoted_ip_total_length));
  if (include_rid) b.add("RID", u1_rid_value(r.quoted_ip_id, probe.ip_id));
  b.add("RIPCK", u1_ripck_value(std::span<const std::uint8_t, 20>(r.quoted_ip_header)))
      .add("RUCK", u1_ruck_value(r.quoted_udp_checksum, probe.udp_checksum))
      .add("RUD", u1_rud_value(r.returned_payload));
  return b.done();
}

fingerprint::TestLine ie_line(bool reply1_df, bool reply2_df, std::uint8_t reply1_code, std::uint8_t reply2_code,
                              const TtlAttribute& ttl) {
  return LineBuilder("IE")
      .add("R", "Y")
      .add("DFI", ie_dfi_value(reply1_df, reply2_df))
      .add(ttl)
      .add("CD", ie_cd_value(reply1_code, reply2_code))
      .done();
}

} // namespace stackprint::response_tests
