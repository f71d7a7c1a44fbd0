#pragma once
// A minimal HTTP/1.0 server on 127.0.0.1 that answers every GET with the latest text it was
// given: the Prometheus endpoint (--metrics PORT). One thread; each request has a 2 s deadline
// and at most 8 KiB of headers, so a slow or hostile client cannot hold it or grow it.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap {

/// Serves one text document.
class TextServer {
 public:
  TextServer() = default;
  ~TextServer();
  TextServer(const TextServer&) = delete;
  TextServer& operator=(const TextServer&) = delete;

  /// Listens on 127.0.0.1:port (0: any free port) and starts the thread.
  Result<void> start(std::uint16_t port, std::string content_type);
  /// The port it listens on.
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// Replaces the document.
  void set_text(std::string text);
  /// Stops the thread.
  void stop();

 private:
  void loop();
  void answer(int fd);

  Fd listen_;
  Fd wake_;  // eventfd: stop()
  std::uint16_t port_ = 0;
  std::string content_type_;
  std::mutex mutex_;
  std::string text_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pushcap
