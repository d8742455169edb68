#pragma once
// Reading the packets of a burst before answering any of them, each stamped as it is read.
//
// The emulator serves every emulated host from one thread, and the emulated clocks (ISN, TCP
// timestamps) are read at a packet's stamp. A scanner sends the SEQ probes of a whole host group in
// one burst; answering one packet takes far longer than reading one, so stamping each packet after
// the packets ahead of it were answered made its stamp depend on how many other hosts' probes came
// first. No real host has that delay, and its jitter went straight into SP and ISR (measured: a
// 20-host group against HP iLO 3, whose SP range 80-8A allows ~50 us of timing noise at its ISN rate).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/frame.hpp"

namespace stackprint::emulation {

struct StampedPacket {
  Timestamp read_at; // the clock read right after the packet was read
  std::vector<std::uint8_t> bytes;
};

// Reads one packet with `read(first_timeout_ms)`, then, without waiting (`read(0)`), every packet
// already queued, up to `limit` in all; each is stamped with `clock()` right after its read.
// `read` returns nullopt when nothing came in time. Errors: the first read error (the packets read
// before it are lost with it; the caller stops serving).
using PacketRead = std::function<Expected<std::optional<std::vector<std::uint8_t>>>(int timeout_ms)>;
[[nodiscard]] Expected<std::vector<StampedPacket>>
read_burst(const PacketRead& read, const std::function<Timestamp()>& clock, int first_timeout_ms, std::size_t limit);

} // namespace stackprint::emulation
