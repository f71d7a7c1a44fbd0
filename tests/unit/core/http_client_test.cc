#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "core/fd.h"
#include "core/http_client.h"

namespace pushcap::test {
namespace {

using std::chrono::milliseconds;

// A one-connection server on 127.0.0.1: reads the request, then answers `reply` (or nothing
// and holds the connection open for `hold`).
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply, milliseconds hold = milliseconds(0)) {
    listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
    EXPECT_EQ(::listen(listener_.get(), 1), 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, reply = std::move(reply), hold] {
      Fd c(::accept(listener_.get(), nullptr, nullptr));
      char buf[4096];
      while (request_.find("\r\n\r\n") == std::string::npos ||
             request_.size() < request_.find("\r\n\r\n") + 4 + body_length()) {
        ssize_t n = ::read(c.get(), buf, sizeof buf);
        if (n <= 0) break;
        request_.append(buf, static_cast<std::size_t>(n));
      }
      if (hold.count() > 0) std::this_thread::sleep_for(hold);
      (void)!::write(c.get(), reply.data(), reply.size());
    });
  }
  ~OneShotServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& request() const { return request_; }

 private:
  std::size_t body_length() const {
    auto p = request_.find("Content-Length: ");
    return p == std::string::npos ? 0 : std::stoul(request_.substr(p + 16));
  }
  Fd listener_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(HttpClient, PostsWithBasicAuthAndReadsTheAnswer) {
  HttpRequest req;
  req.path = "/operations/stat";
  req.body = R"({"fs":"x:"})";
  req.basic_auth = "pushcap:secret";
  tl::expected<HttpResponse, HttpError> r;
  std::string seen;
  {
    OneShotServer server(
        "HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"error\":\"object not found\"}");
    req.port = server.port();
    r = http_post(req, milliseconds(5000));
  }
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"object not found"})");
}

TEST(HttpClient, SendsTheRequestLineHeadersAndBody) {
  HttpRequest req;
  req.path = "/rc/noop";
  req.body = "{}";
  req.basic_auth = "a:b";
  OneShotServer server("HTTP/1.0 200 OK\r\n\r\n{}");
  req.port = server.port();
  auto r = http_post(req, milliseconds(5000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  server.join();
  const std::string& got = server.request();
  EXPECT_EQ(got.rfind("POST /rc/noop HTTP/1.0\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("\r\nAuthorization: Basic YTpi\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("\r\nContent-Length: 2\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.substr(got.size() - 6), "\r\n\r\n{}");
}

TEST(HttpClient, TimesOutWhenTheServerDoesNotAnswer) {
  OneShotServer server("HTTP/1.0 200 OK\r\n\r\n{}", milliseconds(1500));
  HttpRequest req;
  req.port = server.port();
  auto t0 = std::chrono::steady_clock::now();
  auto r = http_post(req, milliseconds(300));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, HttpFailure::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1400));
}

TEST(HttpClient, ConnectionRefusedAndNotHttp) {
  std::uint16_t port;
  {
    OneShotServer server("garbage\r\n\r\n");
    port = server.port();
    HttpRequest req;
    req.port = port;
    auto r = http_post(req, milliseconds(5000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, HttpFailure::kProtocol);
  }
  HttpRequest req;
  req.port = port;  // closed now
  auto r = http_post(req, milliseconds(5000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, HttpFailure::kConnect);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(HttpClient, AnswerSizeIsCapped) {
  OneShotServer server("HTTP/1.0 200 OK\r\n\r\n" + std::string(100000, 'x'));
  HttpRequest req;
  req.port = server.port();
  auto r = http_post(req, milliseconds(5000), 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, HttpFailure::kProtocol);
}

TEST(HttpClient, Base64MatchesRfc4648) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace pushcap::test
