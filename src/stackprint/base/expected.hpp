#pragma once
// Errors as values at library boundaries. Every parser of untrusted input returns Expected<T>;
// the error says what is wrong and where (byte offset, or file:line), in one line.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace stackprint {

// One-line, human-readable description of why untrusted input was rejected.
struct Error {
  std::string message;
};

template <typename T> using Expected = tl::expected<T, Error>;

// Shorthand for `return fail("...")` inside functions returning Expected<T>.
[[nodiscard]] inline tl::unexpected<Error> fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

} // namespace stackprint
