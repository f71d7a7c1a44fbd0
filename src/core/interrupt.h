#pragma once
// The process-wide "asked to stop" state: signal handlers record here, the reader and the
// engine read it. Lock-free atomics only, so a signal handler may write them.

#include <atomic>

namespace pushcap {

/// Signals received so far (SIGINT, SIGTERM).
inline std::atomic<int>& interrupt_count() {
  static std::atomic<int> count{0};
  return count;
}

/// The first signal received, or 0.
inline std::atomic<int>& first_interrupt() {
  static std::atomic<int> sig{0};
  return sig;
}

/// Records a signal; async-signal-safe.
inline void note_interrupt(int sig) {
  int expected = 0;
  first_interrupt().compare_exchange_strong(expected, sig);
  interrupt_count().fetch_add(1);
}

/// Asks the run to stop as a signal does, without a signal: first_interrupt() stays 0 (a realtime
/// push whose target failed ends itself, so that its supervisor starts it again).
inline void request_stop() {
  interrupt_count().fetch_add(1);
}

/// SIGHUP requests so far (reload the config).
inline std::atomic<int>& reload_requests() {
  static std::atomic<int> count{0};
  return count;
}

}  // namespace pushcap
