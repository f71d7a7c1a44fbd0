#pragma once
// The capture's retention thread: a retention pass over the store at start and every period,
// each deletion said in the log, until stopped.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "store/retention.h"

namespace pushcap::live {

class RetentionThread {
 public:
  /// Starts the thread when `limits` set any limit.
  RetentionThread(std::string store, store::RetentionLimits limits, int period_s,
                  std::function<void(const std::string&)> log);
  ~RetentionThread();
  RetentionThread(const RetentionThread&) = delete;
  RetentionThread& operator=(const RetentionThread&) = delete;

  /// Ends the thread (a pass under way completes first).
  void stop();

 private:
  void loop();
  void pass();

  std::string store_;
  store::RetentionLimits limits_;
  int period_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace pushcap::live
