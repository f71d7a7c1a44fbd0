#include "core/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/fd.h"

namespace pushcap {
namespace {

using Clock = std::chrono::steady_clock;

tl::unexpected<HttpError> http_fail(HttpFailure kind, std::string message) {
  return tl::unexpected<HttpError>(HttpError{kind, std::move(message)});
}

// Waits for `events` on `fd` until `deadline`; false when the deadline passed.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;  // the next call reports the error
  }
}

}  // namespace

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    auto byte = [&](std::size_t k) -> std::uint32_t {
      return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u;
    };
    const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

tl::expected<HttpResponse, HttpError> http_post(const HttpRequest& request, std::chrono::milliseconds limit,
                                                std::size_t max_response) {
  const auto deadline = Clock::now() + limit;
  const std::string where = fmt::format("http://{}:{}{}", request.host, request.port, request.path);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(request.port);
  if (::inet_pton(AF_INET, request.host.c_str(), &addr.sin_addr) != 1) {
    return http_fail(HttpFailure::kConnect, where + ": not a numeric IPv4 address");
  }
  Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return http_fail(HttpFailure::kConnect, where + ": socket: " + errno_text(errno));
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return http_fail(HttpFailure::kConnect, where + ": " + errno_text(errno));
    if (!wait_for(sock.get(), POLLOUT, deadline)) {
      return http_fail(HttpFailure::kTimeout, where + ": no connection within the time limit");
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return http_fail(HttpFailure::kConnect, where + ": " + errno_text(err));
  }

  std::string head = fmt::format("POST {} HTTP/1.0\r\nHost: {}:{}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                                 request.path, request.host, request.port, request.content_type, request.body.size());
  if (!request.basic_auth.empty()) head += "Authorization: Basic " + base64(request.basic_auth) + "\r\n";
  head += "\r\n";
  const std::string message = head + request.body;
  for (std::size_t sent = 0; sent < message.size();) {
    ssize_t n = ::send(sock.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(sock.get(), POLLOUT, deadline)) {
        return http_fail(HttpFailure::kTimeout, where + ": the request was not taken within the time limit");
      }
    } else {
      return http_fail(HttpFailure::kConnect, where + ": sending the request: " + errno_text(errno));
    }
  }

  std::string answer;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
    if (n > 0) {
      answer.append(buf, static_cast<std::size_t>(n));
      if (answer.size() > max_response) {
        return http_fail(HttpFailure::kProtocol,
                         fmt::format("{}: the answer is larger than {} bytes", where, max_response));
      }
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(sock.get(), POLLIN, deadline)) {
        return http_fail(HttpFailure::kTimeout, where + ": no answer within the time limit");
      }
    } else {
      return http_fail(HttpFailure::kConnect, where + ": reading the answer: " + errno_text(errno));
    }
  }
  if (answer.empty())
    return http_fail(HttpFailure::kConnect, where + ": the server closed the connection without an answer");

  // "HTTP/1.x NNN reason\r\n" headers "\r\n\r\n" body; with HTTP/1.0 the body ends at the close.
  auto header_end = answer.find("\r\n\r\n");
  if (answer.compare(0, 5, "HTTP/") != 0 || header_end == std::string::npos) {
    return http_fail(HttpFailure::kProtocol, where + ": the answer is not HTTP");
  }
  auto space = answer.find(' ');
  HttpResponse response;
  if (space == std::string::npos || space > header_end) {
    return http_fail(HttpFailure::kProtocol, where + ": the answer has no status");
  }
  response.status = std::atoi(answer.c_str() + space + 1);
  if (response.status < 100 || response.status > 599) {
    return http_fail(HttpFailure::kProtocol, where + ": the answer has no valid status");
  }
  response.body = answer.substr(header_end + 4);
  return response;
}

}  // namespace pushcap
