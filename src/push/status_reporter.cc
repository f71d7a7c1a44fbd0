#include "push/status_reporter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/interrupt.h"
#include "push/status_fields.h"

namespace pushcap::push {
namespace {

namespace F = status_field;

std::string human_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.0f} B", b);
}

}  // namespace

std::string status_json(const config::TargetConfig& cfg, const TargetStats& s, double mbps) {
  return status_object(cfg, s, mbps, -1, false).dump();
}

nlohmann::ordered_json status_object(const config::TargetConfig& cfg, const TargetStats& s, double mbps,
                                     double lag_seconds, bool paused) {
  nlohmann::ordered_json dropped = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < s.dropped.size(); ++i)
    dropped[drop_reason_name(static_cast<DropReason>(i))] = s.dropped[i];
  nlohmann::ordered_json j = {{"module", "pushcap"},
                              {"subsystem", "status"},
                              {"timestamp", wall_ns() / 1'000'000'000},
                              {"ver", PUSHCAP_VERSION},
                              {"instance", "pushcap"},
                              {F::kProcess, cfg.desc},
                              {F::kIsUp, !s.failed},
                              {F::kSplits, s.splits},
                              {F::kTotalByte, s.accepted_bytes},
                              {F::kTotalPkt, s.accepted},
                              {F::kTransferMbps, static_cast<double>(static_cast<std::int64_t>(mbps * 100)) / 100},
                              {F::kPcapTs, s.last_ts},
                              {F::kFilterBpf, cfg.filter_bpf},
                              {F::kFilterFrame, cfg.filter_frame},
                              {F::kTarget, cfg.path},
                              {F::kFiltered, s.filtered},
                              {F::kDropped, dropped}};
  if (lag_seconds >= 0) {
    j[F::kLagSeconds] = static_cast<double>(static_cast<std::int64_t>(lag_seconds * 1000)) / 1000;
    j[F::kPaused] = paused;
  }
  if (s.resume_skipped != 0) j[F::kResumeSkipped] = s.resume_skipped;
  if (s.decap_active) {
    nlohmann::ordered_json removed = nlohmann::ordered_json::object();
    for (const auto& [name, n] : decap_removed(s.decap)) removed[name] = n;
    nlohmann::ordered_json passed = nlohmann::ordered_json::object();
    for (const auto& [name, n] : decap_problems(s.decap)) passed[name] = n;
    j[F::kDecap] = {{"Removed", removed}, {"PassedAsDecoded", passed}};
  }
  if (s.pipe_failures != 0) j[F::kPipeFailures] = s.pipe_failures;
  if (s.scripts != 0 || s.script_failures != 0) j[F::kScripts] = {{"Run", s.scripts}, {"Failed", s.script_failures}};
  if (s.rclone) {
    j[F::kUpload] = {{F::kUploadDone, s.uploads},           {F::kUploadPending, s.upload_pending},
                     {F::kUploadRetries, s.upload_retries}, {F::kSpoolBytes, s.spool_bytes},
                     {F::kSpoolWaits, s.spool_waits},       {F::kLastError, s.upload_error}};
  }
  return j;
}

std::string metrics_text(const std::vector<std::pair<const config::TargetConfig*, TargetStats>>& targets,
                         const std::vector<double>& lag_seconds, bool paused) {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  auto label = [](const std::string& v) {
    std::string e;
    for (char c : v) {
      if (c == '\\' || c == '"') e += '\\';
      if (c == '\n') {
        e += "\\n";
        continue;
      }
      e += c;
    }
    return e;
  };
  struct Counter {
    const char* name;
    const char* type;
    const char* help;
    std::function<double(const TargetStats&)> value;
  };
  const std::vector<Counter> counters = {
      {"pushcap_packets_total", "counter", "Packets written into splits.",
       [](const TargetStats& s) { return static_cast<double>(s.accepted); }},
      {"pushcap_bytes_total", "counter", "Record bytes written into splits.",
       [](const TargetStats& s) { return static_cast<double>(s.accepted_bytes); }},
      {"pushcap_filtered_packets_total", "counter", "Packets the target's filters left out.",
       [](const TargetStats& s) { return static_cast<double>(s.filtered); }},
      {"pushcap_published_packets_total", "counter", "Packets in published splits.",
       [](const TargetStats& s) { return static_cast<double>(s.published); }},
      {"pushcap_splits_total", "counter", "Splits published.",
       [](const TargetStats& s) { return static_cast<double>(s.splits); }},
      {"pushcap_splits_failed_total", "counter", "Splits that could not be completed.",
       [](const TargetStats& s) { return static_cast<double>(s.splits_failed); }},
      {"pushcap_spool_bytes", "gauge", "Bytes in an RCLONE target's spool.",
       [](const TargetStats& s) { return static_cast<double>(s.spool_bytes); }},
      {"pushcap_uploads_pending", "gauge", "Splits waiting for upload.",
       [](const TargetStats& s) { return static_cast<double>(s.upload_pending); }},
      {"pushcap_upload_retries_total", "counter", "Failed upload attempts (each retried).",
       [](const TargetStats& s) { return static_cast<double>(s.upload_retries); }},
      {"pushcap_script_failures_total", "counter", "Close and Post scripts that failed.",
       [](const TargetStats& s) { return static_cast<double>(s.script_failures); }},
      {"pushcap_target_up", "gauge", "1 while the target runs, 0 after it stopped on an error.",
       [](const TargetStats& s) { return s.failed ? 0.0 : 1.0; }},
  };
  for (const auto& c : counters) {
    family(c.name, c.type, c.help);
    for (const auto& [cfg, s] : targets)
      out += fmt::format("{}{{target=\"{}\"}} {}\n", c.name, label(cfg->desc), c.value(s));
  }
  family("pushcap_dropped_packets_total", "counter", "Packets not written, by reason.");
  for (const auto& [cfg, s] : targets) {
    for (std::size_t r = 0; r < s.dropped.size(); ++r) {
      out += fmt::format("pushcap_dropped_packets_total{{target=\"{}\",reason=\"{}\"}} {}\n", label(cfg->desc),
                         drop_reason_name(static_cast<DropReason>(r)), s.dropped[r]);
    }
  }
  if (!lag_seconds.empty()) {
    family("pushcap_lag_seconds", "gauge", "Packet time processed, behind the wall clock.");
    for (std::size_t i = 0; i < targets.size() && i < lag_seconds.size(); ++i) {
      out +=
          fmt::format("pushcap_lag_seconds{{target=\"{}\"}} {:.3f}\n", label(targets[i].first->desc), lag_seconds[i]);
    }
    family("pushcap_paused", "gauge", "1 while the schedule pauses pushing.");
    out += fmt::format("pushcap_paused {}\n", paused ? 1 : 0);
  }
  return out;
}

StatusReporter::StatusReporter(TargetSet& targets, const capture::Source& source, Options options)
    : targets_(targets), source_(source), options_(std::move(options)), started_(mono_ns()), thread_([this] {
        loop();
      }) {}

void StatusReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (options_.progress) std::fprintf(stderr, "\r%-70s\r", "");
}

void StatusReporter::stop_reloads() {
  std::lock_guard lock(reload_mutex_);
  reloads_stopped_ = true;
}

void StatusReporter::loop() {
  std::int64_t last_json = mono_ns();
  std::int64_t last_heartbeat = 0;
  int handled_signals = 0;
  int handled_reloads = reload_requests().load();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [&] { return done_; })) {
    int sigs = interrupt_count().load();
    if (sigs > handled_signals) {
      handled_signals = sigs;
      if (options_.main_log != nullptr && first_interrupt().load() != 0) {
        options_.main_log->line(fmt::format("signal {} received: finalising open splits", first_interrupt().load()));
      }
      if (sigs >= 2) {
        std::lock_guard r(reload_mutex_);
        targets_.for_each([](Target& t) { t.hurry(); });
      }
    }
    const int reloads = reload_requests().load();
    if (reloads > handled_reloads) {
      handled_reloads = reloads;
      // Never both locks at once here: write_status takes mutex_ then reload_mutex_.
      lock.unlock();
      {
        std::lock_guard r(reload_mutex_);
        if (!reloads_stopped_ && options_.reload && sigs == 0) {
          options_.reload();
        } else if (options_.main_log != nullptr && !options_.reload) {
          options_.main_log->line("SIGHUP: a reload applies to realtime pushes only; ignored");
        }
      }
      lock.lock();
    }
    const std::int64_t now = mono_ns();
    if (now - last_json >= 1'000'000'000) {
      std::lock_guard r(reload_mutex_);
      write_status(static_cast<double>(now - last_json) / 1e9);
      last_json = now;
      if (options_.progress) draw_progress(now);
    }
    if (options_.main_log != nullptr &&
        now - last_heartbeat >= std::int64_t{options_.heartbeat_seconds} * 1'000'000'000) {
      std::lock_guard r(reload_mutex_);
      const double elapsed = static_cast<double>(now - started_) / 1e9;
      last_heartbeat = now;
      targets_.for_each([&](Target& t) {
        const TargetStats s = t.stats();
        options_.main_log->line(
            fmt::format("push [{:<40} : reader:true split:{}]", t.config().desc, s.failed ? "false" : "true"));
        if (t.log() != nullptr) {
          t.log()->line(
              fmt::format("Total Bytes {} ({:.3f} GB) Packets {} Speed {:.3f} Gbps : Splits {} Filtered {} PCAPTS {}",
                          s.accepted_bytes, static_cast<double>(s.accepted_bytes) / 1e9, s.accepted,
                          elapsed > 0 ? static_cast<double>(s.accepted_bytes) * 8 / 1e9 / elapsed : 0.0, s.splits,
                          s.filtered, s.last_ts));
        }
      });
    }
  }
}

void StatusReporter::write_status(double seconds) {
  const bool paused = options_.paused ? options_.paused() : false;
  const auto wall = static_cast<std::uint64_t>(wall_ns());
  std::vector<std::pair<const config::TargetConfig*, TargetStats>> all;
  std::vector<double> lags;
  nlohmann::ordered_json state = nlohmann::ordered_json::array();
  targets_.for_each([&](Target& t) {
    TargetStats s = t.stats();
    std::uint64_t& last = last_bytes_[t.config().desc];
    const double mbps = static_cast<double>(s.accepted_bytes - std::min(last, s.accepted_bytes)) * 8 / 1e6 / seconds;
    last = s.accepted_bytes;
    double lag = -1;
    if (options_.realtime) {
      lag = s.progress_ts != 0 && s.progress_ts < wall ? static_cast<double>(wall - s.progress_ts) / 1e9 : 0;
      lags.push_back(lag);
    }
    if (s.failed && options_.target_failed && failed_seen_.insert(t.config().desc).second) {
      options_.target_failed(t.config().desc, s.failure);
    }
    nlohmann::ordered_json status = status_object(t.config(), s, mbps, lag, paused);
    if (options_.main_log != nullptr) options_.main_log->json(status.dump());
    state.push_back(std::move(status));
    all.emplace_back(&t.config(), s);
  });
  if (options_.metrics != nullptr) options_.metrics->set_text(metrics_text(all, lags, paused));
  if (!options_.state_dir.empty()) {
    nlohmann::ordered_json doc = {{F::kPid, ::getpid()},
                                  {F::kUpdatedNs, wall},
                                  {F::kPausedDoc, paused},
                                  {F::kSourceBytes, source_.bytes_read()},
                                  {F::kSourceLagSeconds, source_.lag_seconds()},
                                  {F::kTargets, state}};
    write_state_file(doc.dump(1));
  }
}

void StatusReporter::write_state_file(const std::string& json) {
  // Rewritten each second for `pushcap status`: a rename keeps it whole; no fsync, it is a view.
  // A failure is said once (and when it works again), and the run's report names it.
  const std::string path = options_.state_dir + "/status.json";
  const std::string tmp = path + ".tmp";
  auto written = [&]() -> Result<void> {
    auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (!fd) return fail(fd.error());
    if (auto w = write_all(fd->get(), json.data(), json.size(), tmp); !w) return w;
    if (auto c = fd->close(tmp); !c) return c;
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return fail(Errc::kIo, "rename " + tmp + " -> " + path + ": " + errno_text(errno));
    }
    return {};
  }();
  if (!written) {
    ::unlink(tmp.c_str());
    if (!state_failing_ && options_.main_log != nullptr) {
      options_.main_log->line("warning: status.json not updated: " + written.error().message());
    }
    if (!state_failing_)
      std::fprintf(stderr, "pushcap: warning: status.json not updated: %s\n", written.error().message().c_str());
    if (state_error_.empty()) state_error_ = "status.json: " + written.error().message();
    state_failing_ = true;
  } else if (state_failing_) {
    state_failing_ = false;
    if (options_.main_log != nullptr) options_.main_log->line("status.json is written again");
  }
}

void StatusReporter::draw_progress(std::int64_t now) {
  const std::uint64_t total = source_.total_bytes();
  const std::uint64_t done = source_.bytes_read();
  const double elapsed = static_cast<double>(now - started_) / 1e9;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::string line =
      fmt::format("pushcap: {} read, {:.2f} Gbps", human_bytes(static_cast<double>(done)), rate * 8 / 1e9);
  if (total > 0 && done <= total) {  // stdin has no known size: no percent, no ETA
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    line = fmt::format("pushcap: {:5.1f}% of {}, {:.2f} Gbps, ETA {}:{:02}",
                       100.0 * static_cast<double>(done) / static_cast<double>(total),
                       human_bytes(static_cast<double>(total)), rate * 8 / 1e9, static_cast<int>(eta) / 60,
                       static_cast<int>(eta) % 60);
  }
  std::fprintf(stderr, "\r%-70s", line.c_str());
  std::fflush(stderr);
}

}  // namespace pushcap::push
