#include "stackprint/wire/tcp_option.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_reader.hpp"
#include "stackprint/base/byte_writer.hpp"

namespace stackprint::wire {

TcpOption TcpOption::mss(std::uint16_t value) {
  return {k_tcp_option_mss, {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value & 0xFF)}};
}

TcpOption TcpOption::window_scale(std::uint8_t shift) { return {k_tcp_option_window_scale, {shift}}; }

TcpOption TcpOption::timestamp(std::uint32_t value, std::uint32_t echo_reply) {
  ByteWriter out;
  out.write_u32(value);
  out.write_u32(echo_reply);
  return {k_tcp_option_timestamp, std::move(out).take()};
}

std::size_t TcpOption::wire_length() const {
  if (kind == k_tcp_option_eol || kind == k_tcp_option_nop) { return 1; }
  return 2 + data.size();
}

std::optional<std::uint16_t> TcpOption::mss_value() const {
  if (kind != k_tcp_option_mss || data.size() != 2) { return std::nullopt; }
  return load_u16_be(data, 0);
}

std::optional<std::uint8_t> TcpOption::window_scale_value() const {
  if (kind != k_tcp_option_window_scale || data.size() != 1) { return std::nullopt; }
  return data[0];
}

std::optional<TcpOption::Timestamp> TcpOption::timestamp_value() const {
  if (kind != k_tcp_option_timestamp || data.size() != 8) { return std::nullopt; }
  return Timestamp{load_u32_be(data, 0), load_u32_be(data, 4)};
}

std::optional<TcpOption> TcpOptionList::find(std::uint8_t kind) const {
  for (const auto& option : options) {
    if (option.kind == kind) { return option; }
  }
  return std::nullopt;
}

TcpOptionList parse_tcp_options(std::span<const std::uint8_t> raw) {
  TcpOptionList list;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::uint8_t kind = raw[pos];
    if (kind == k_tcp_option_eol || kind == k_tcp_option_nop) {
      list.options.push_back(TcpOption{kind, {}});
      ++pos;
      continue;
    }
    if (raw.size() - pos < 2) {
      list.problem = TcpOptionProblem{pos, fmt::format("option kind {} has no length byte", kind)};
      break;
    }
    const std::uint8_t length = raw[pos + 1];
    if (length < 2) {
      list.problem = TcpOptionProblem{pos, fmt::format("option kind {} length {} below 2", kind, length)};
      break;
    }
    if (length > raw.size() - pos) {
      list.problem = TcpOptionProblem{pos, fmt::format("option kind {} length {} overruns the {} option byte(s) left",
                                                       kind, length, raw.size() - pos)};
      break;
    }
    auto data = raw.subspan(pos + 2, length - 2U);
    list.options.push_back(TcpOption{kind, {data.begin(), data.end()}});
    pos += length;
  }
  return list;
}

std::vector<std::uint8_t> encode_tcp_options(std::span<const TcpOption> options) {
  ByteWriter out;
  for (const auto& option : options) {
    out.write_u8(option.kind);
    if (option.kind == k_tcp_option_eol || option.kind == k_tcp_option_nop) { continue; }
    out.write_u8(static_cast<std::uint8_t>((2 + option.data.size()) & 0xFF));
    out.write_bytes(option.data);
  }
  return std::move(out).take();
}

} // namespace stackprint::wire
