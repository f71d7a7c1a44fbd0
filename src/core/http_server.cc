#include "core/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace pushcap {
namespace {
constexpr std::size_t kMaxRequest = 8192;
constexpr int kDeadlineMs = 2000;
}  // namespace

TextServer::~TextServer() {
  stop();
}

Result<void> TextServer::start(std::uint16_t port, std::string content_type) {
  content_type_ = std::move(content_type);
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) return fail(Errc::kIo, fmt::format("socket: {}", errno_text(errno)));
  const int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail(Errc::kIo, fmt::format("cannot listen on 127.0.0.1:{}: {}", port, errno_text(errno)));
  }
  if (::listen(s.get(), 16) != 0) return fail(Errc::kIo, fmt::format("listen: {}", errno_text(errno)));
  socklen_t len = sizeof addr;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  wake_ = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_.valid()) return fail(Errc::kIo, fmt::format("eventfd: {}", errno_text(errno)));
  listen_ = std::move(s);
  thread_ = std::thread([this] { loop(); });
  return {};
}

void TextServer::set_text(std::string text) {
  std::lock_guard lock(mutex_);
  text_ = std::move(text);
}

void TextServer::stop() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(wake_.get(), &one, sizeof one);
  thread_.join();
}

void TextServer::loop() {
  while (!stop_.load()) {
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (stop_.load()) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    Fd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (c.valid()) answer(c.get());
  }
}

void TextServer::answer(int fd) {
  // Read the request head (up to a blank line), within the deadline and the size cap.
  std::string req;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
  char buf[1024];
  while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || req.size() > kMaxRequest) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    req.append(buf, static_cast<std::size_t>(n));
  }
  std::string body;
  std::string status = "200 OK";
  if (req.compare(0, 4, "GET ") != 0) {
    status = "405 Method Not Allowed";
  } else {
    std::lock_guard lock(mutex_);
    body = text_;
  }
  std::string out = fmt::format("HTTP/1.0 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                status, content_type_, body.size());
  out += body;
  std::size_t at = 0;
  while (at < out.size()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::send(fd, out.data() + at, out.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace pushcap
