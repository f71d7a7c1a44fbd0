// `pushcap status --store S [--state-dir D] [--json]`: what the store holds and how each stream
// ended (or that its capture is running), and how each target of a realtime push is doing
// (from the status.json the push rewrites each second in its state directory).

#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/clock.h"
#include "core/json_file.h"
#include "push/status_fields.h"
#include "store/store_status.h"

namespace pushcap::cli {
namespace {

namespace F = push::status_field;

std::string utc(std::uint64_t ns) {
  if (ns == 0 || ns == ~std::uint64_t{0}) return "-";
  std::time_t s = static_cast<std::time_t>(ns / 1'000'000'000u);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, (ns / 1'000'000u) % 1000);
}

std::string size_text(double b) {
  if (b >= 1e12) return fmt::format("{:.2f} TB", b / 1e12);
  if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.1f} KB", b / 1e3);
  return fmt::format("{:.0f} B", b);
}

nlohmann::ordered_json store_status(const std::string& store) {
  nlohmann::ordered_json out = {{"store", store}};
  auto status = store::read_store_status(store);
  if (!status) {
    out["error"] = status.error().message();
    return out;
  }
  out["max_bytes"] = status->limits.max_bytes;
  out["max_age_ns"] = status->limits.max_age_ns;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  const auto now = static_cast<std::uint64_t>(wall_ns());
  for (const store::StreamStatus& s : status->streams) {
    nlohmann::ordered_json j = {{"name", s.name}};
    j["segments"] = s.segments;
    j["bytes_on_disk"] = s.bytes_on_disk;
    const std::string state = store::stream_state_name(s.state);
    j["state"] = state;
    if (s.meta) {
      j["interfaces"] = s.meta->interfaces;
      j["linktype"] = s.meta->linktype;
      j["started"] = utc(static_cast<std::uint64_t>(s.meta->started_ns));
      if (s.state == store::StreamState::kRecovered) {
        j["lost_after"] = utc(s.meta->last_watermark_ts);
        j["recovered_packets"] = s.meta->recovered_packets;
        j["recovered_cut_bytes"] = s.meta->recovered_cut_bytes;
      }
    }
    if (s.watermark) {
      const store::Watermark& m = *s.watermark;
      j["packets"] = m.packets;
      j["bytes"] = m.bytes;
      j["kernel_drops"] = m.kernel_drops;
      j["if_drops"] = m.if_drops;
      j["writer_behind_drops"] = m.overflow_drops;
      j["late"] = m.late;
      if (!m.ended) {
        j["watermark"] = utc(m.ts_ns);
        j["watermark_age_seconds"] = m.ts_ns != 0 && m.ts_ns < now ? static_cast<double>(now - m.ts_ns) / 1e9 : 0.0;
        if (s.state == store::StreamState::kCrashed) j["lost_after"] = utc(m.ts_ns);
      }
    }
    if (!s.problems.empty()) j["problems"] = s.problems;
    list.push_back(j);
  }
  out["bytes"] = status->bytes_on_disk;
  out["segments"] = status->segments;
  out["streams"] = list;
  return out;
}

nlohmann::ordered_json push_status(const std::string& state_dir) {
  nlohmann::ordered_json out = {{"state_dir", state_dir}};
  auto read = read_json_file_if_present(state_dir + "/status.json", "push status", 16u << 20);
  if (!read) {
    out["error"] = read.error().message();
    return out;
  }
  if (!*read) {
    out["running"] = false;
    return out;
  }
  const nlohmann::ordered_json& j = **read;
  const auto now = static_cast<std::uint64_t>(wall_ns());
  const std::uint64_t updated = j.value(F::kUpdatedNs, std::uint64_t{0});
  const double age = updated != 0 && updated < now ? static_cast<double>(now - updated) / 1e9 : 0;
  out["running"] = age < 5;
  out["updated_seconds_ago"] = age;
  out["pid"] = j.value(F::kPid, 0);
  out["paused"] = j.value(F::kPausedDoc, false);
  out["targets"] = j.value(F::kTargets, nlohmann::ordered_json::array());
  return out;
}

void print_text(const nlohmann::ordered_json& st, const nlohmann::ordered_json* push) {
  if (st.contains("error")) {
    std::printf("store %s: %s\n", st["store"].get<std::string>().c_str(), st["error"].get<std::string>().c_str());
  } else {
    std::string limits;
    if (st["max_bytes"].get<std::uint64_t>() != 0)
      limits += " size limit " + size_text(static_cast<double>(st["max_bytes"].get<std::uint64_t>()));
    if (st["max_age_ns"].get<std::uint64_t>() != 0)
      limits += fmt::format(" age limit {:.1f} h", static_cast<double>(st["max_age_ns"].get<std::uint64_t>()) / 3.6e12);
    std::printf("store %s: %zu streams, %llu segments, %s%s\n", st["store"].get<std::string>().c_str(),
                st["streams"].size(), static_cast<unsigned long long>(st["segments"].get<std::uint64_t>()),
                size_text(static_cast<double>(st["bytes"].get<std::uint64_t>())).c_str(),
                limits.empty() ? "" : (";" + limits).c_str());
    for (const auto& s : st["streams"]) {
      const std::string state = s["state"];
      std::string line = fmt::format("  {:<28} {:<10} {} packets, {}", s["name"].get<std::string>(), state,
                                     s.value("packets", std::uint64_t{0}),
                                     size_text(static_cast<double>(s.value("bytes", std::uint64_t{0}))));
      line += fmt::format("; dropped: kernel {}, interface {}, writer behind {}", s.value("kernel_drops", 0ull),
                          s.value("if_drops", 0ull), s.value("writer_behind_drops", 0ull));
      if (s.value("late", 0ull) != 0) line += fmt::format("; late {}", s.value("late", 0ull));
      if (state == "capturing") {
        line += fmt::format("; watermark {} ({:.2f} s ago)", s.value("watermark", "-"),
                            s.value("watermark_age_seconds", 0.0));
      }
      std::printf("%s\n", line.c_str());
      if (state == "recovered") {
        std::printf(
            "    its capture died and was recovered: packets after %s may be missing (%llu records kept of its "
            "open segment, %llu bytes of a torn record cut)\n",
            s.value("lost_after", "-").c_str(), s.value("recovered_packets", 0ull),
            s.value("recovered_cut_bytes", 0ull));
      } else if (state == "crashed") {
        std::printf(
            "    its capture died and it is not recovered yet (the next `pushcap capture` on this store "
            "recovers it): packets after %s may be missing\n",
            s.value("lost_after", "-").c_str());
      }
    }
  }
  if (push == nullptr) return;
  const auto& p = *push;
  if (p.contains("error")) {
    std::printf("push: %s\n", p["error"].get<std::string>().c_str());
    return;
  }
  if (!p.contains("targets")) {
    std::printf("push (state %s): no status (not started yet)\n", p["state_dir"].get<std::string>().c_str());
    return;
  }
  std::printf("push (state %s): %s, updated %.1f s ago%s\n", p["state_dir"].get<std::string>().c_str(),
              p["running"].get<bool>() ? fmt::format("running (pid {})", p["pid"].get<int>()).c_str() : "NOT running",
              p["updated_seconds_ago"].get<double>(), p["paused"].get<bool>() ? "; PAUSED by the schedule" : "");
  for (const auto& t : p["targets"]) {
    std::uint64_t dropped = 0;
    if (t.contains(F::kDropped)) {
      for (const auto& [k, v] : t[F::kDropped].items()) dropped += v.get<std::uint64_t>();
    }
    std::string line =
        fmt::format("  {:<20} lag {:.2f} s, {:.2f} Mbps, {} packets, {} splits, {} not written",
                    t.value(F::kProcess, "?"), t.value(F::kLagSeconds, 0.0), t.value(F::kTransferMbps, 0.0),
                    t.value(F::kTotalPkt, 0ull), t.value(F::kSplits, 0ull), dropped);
    if (t.contains(F::kUpload)) {
      const auto& up = t[F::kUpload];
      line += fmt::format(", spool {}, uploads pending {}, retries {}",
                          size_text(static_cast<double>(up.value(F::kSpoolBytes, 0ull))),
                          up.value(F::kUploadPending, 0ull), up.value(F::kUploadRetries, 0ull));
    }
    if (!t.value(F::kIsUp, true)) line += " -- STOPPED on an error (see its log)";
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

int status_command(const StatusArgs& args) {
  struct stat st {};
  if (::stat(args.store.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "pushcap status: --store %s: not a directory\n", args.store.c_str());
    return kExitUsage;
  }
  const nlohmann::ordered_json store = store_status(args.store);
  std::optional<nlohmann::ordered_json> push;
  const std::string state = args.state_dir.empty() ? "pushcap-state" : args.state_dir;
  if (!args.state_dir.empty() || ::stat((state + "/status.json").c_str(), &st) == 0) push = push_status(state);
  if (args.json) {
    nlohmann::ordered_json all = {{"store", store}};
    if (push) all["push"] = *push;
    std::printf("%s\n", all.dump(1).c_str());
  } else {
    print_text(store, push ? &*push : nullptr);
  }
  return kExitOk;
}

}  // namespace pushcap::cli
