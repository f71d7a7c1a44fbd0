#pragma once
// The result type for expected failures (STYLE.md, Errors): a value or an Error with a context
// chain. Hot paths never produce Errors; malformed traffic is a verdict plus a counter instead.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace pushcap {

/// What kind of failure an Error describes; callers branch on this, people read the message.
enum class Errc {
  kInvalidArgument,  // a flag, config value or expression the user wrote is wrong
  kIo,               // a system call on a file or directory failed
  kDamagedCapture,   // a capture file is malformed or cut short
  kUnsupported,      // valid input that this version does not handle
  kExists,           // the thing to create already exists
  kNotFound,         // the file or directory to read does not exist
  kNotDurable,       // the file is in place, but the fsync of its directory failed
};

/// A failure with a human-readable message; `context` prepends "where" to the message.
class Error {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  /// The kind of failure.
  [[nodiscard]] Errc code() const { return code_; }
  /// The full message, outermost context first.
  [[nodiscard]] const std::string& message() const { return message_; }
  /// Returns this error with "what: " put before the message.
  [[nodiscard]] Error context(const std::string& what) const& { return Error(code_, what + ": " + message_); }

 private:
  Errc code_;
  std::string message_;
};

/// A value of T or an Error.
template <class T>
using Result = tl::expected<T, Error>;

/// Builds the error side of a Result.
inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}

/// Builds the error side of a Result from an existing Error.
inline tl::unexpected<Error> fail(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

}  // namespace pushcap
