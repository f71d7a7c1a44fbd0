#pragma once
// The smallest HTTP client pushcap needs: one POST to a server on this host (rclone's remote
// control), one connection per call, HTTP/1.0 so the answer is never chunked and ends when the
// server closes. Every step shares one deadline; the answer's size is capped.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace pushcap {

/// One POST.
struct HttpRequest {
  std::string host = "127.0.0.1";  ///< a numeric IPv4 address
  std::uint16_t port = 0;
  std::string path = "/";
  std::string content_type = "application/json";
  std::string body;
  std::string basic_auth;  ///< "user:password", sent as an Authorization: Basic header if set
};

/// What came back.
struct HttpResponse {
  int status = 0;  ///< 200, 404, 500...
  std::string body;
};

/// The outcome of http_post when it did not get an answer.
enum class HttpFailure {
  kConnect,   ///< nobody listens (or the connection was refused or reset before an answer)
  kTimeout,   ///< the deadline passed
  kProtocol,  ///< the answer is not HTTP, or larger than allowed
};

/// A failed call: what kind, and a message naming the address.
struct HttpError {
  HttpFailure kind;
  std::string message;
};

/// POSTs `request` and reads the whole answer within `limit`; answers larger than
/// `max_response` bytes are refused.
tl::expected<HttpResponse, HttpError> http_post(const HttpRequest& request, std::chrono::milliseconds limit,
                                                std::size_t max_response = 1u << 20);

/// Standard base64 (RFC 4648, with padding).
std::string base64(const std::string& bytes);

}  // namespace pushcap
