#include "push/split_delivery.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "hooks/split_scripts.h"

namespace pushcap::push {

SplitDelivery::SplitDelivery(const DeliveryContext& ctx) : ctx_(ctx), namer_(ctx.config.spec, ctx.config.prefix) {}

std::unique_ptr<SplitDelivery> make_delivery(const DeliveryContext& ctx) {
  if (ctx.config.mode == config::Mode::kRclone) return make_rclone_delivery(ctx);
  return make_local_delivery(ctx);
}

void SplitDelivery::announce(const split::FinishedSplit& fs, std::function<void()> after) {
  ctx_.counters.published_split(fs.packets, fs.file_bytes);
  ctx_.log.line(fmt::format("{} : Finished : Split Bytes {} ({:.3f} GB) Split Pkts: {} WallTime: {} PCAPTime: {}",
                            fs.final_name(), fs.bytes, static_cast<double>(fs.bytes) / 1e9, fs.packets, fs.wall_ns,
                            fs.last_ts - fs.first_ts));
  nlohmann::ordered_json event = {
      {"module", "pushcap"},        {"subsystem", "split"},    {"timestamp", wall_ns() / 1'000'000'000},
      {"Target", ctx_.config.desc}, {"Name", fs.final_name()}, {"Bytes", fs.bytes},
      {"FileBytes", fs.file_bytes}, {"Packets", fs.packets},   {"FirstTS", fs.first_ts},
      {"LastTS", fs.last_ts},       {"StartTS", fs.start_ts},  {"EndTS", fs.end_ts},
      {"ClosingTS", fs.closing_ts}, {"WallNS", fs.wall_ns},    {"PublishedNS", wall_ns()}};
  if (!fs.remote.empty()) event["Local"] = fs.path;
  ctx_.log.event(event.dump());

  const config::TargetConfig& config = ctx_.config;
  hooks::ScriptJob job;
  if (!config.script_close.empty()) job.runs.push_back(hooks::close_script_run(config.script_close, config.desc, fs));
  if (!config.post.empty() && !fs.path.empty())
    job.runs.push_back(hooks::post_script_run(config.post, config.desc, fs));
  if (job.runs.empty()) {
    if (after) after();
    return;
  }
  job.log = [this](const std::string& line) { ctx_.log.line(line); };
  const std::size_t runs = job.runs.size();
  job.done = [this, runs, after = std::move(after)](unsigned failures) {
    ctx_.counters.scripts_done(runs, failures);
    if (failures != 0) {
      ctx_.log.say("warning", fmt::format("{} script(s) failed (see its log); the push goes on", failures), false);
    }
    if (after) after();
  };
  ctx_.scripts.submit(std::move(job));
}

void SplitDelivery::keep_failed_pipe_split(SplitOutput& out, std::uint64_t packets, const std::string& keep_as) {
  ctx_.counters.pipe_failed();
  ctx_.counters.lost_split(packets, DropReason::kPipeFailed);
  auto kept = out.keep_raw(keep_as);
  const std::string where =
      kept ? "the raw split was kept as " + *kept : "the raw split could not be kept either: " + kept.error().message();
  ctx_.log.error(
      fmt::format("{}; the split ({} packets) was not published; {}", out.pipe_error()->message(), packets, where));
}

std::string SplitDelivery::rebuilt_next() {
  ctx_.checkpoints.hold("a split before this one was not published");
  return "removed: the next run writes it again from the checkpoint";
}

std::string SplitDelivery::abandon(SplitOutput& out) {
  if (!ctx_.checkpoints.active()) return "kept as " + out.abandon();
  out.discard();
  return rebuilt_next();
}

std::optional<std::string> SplitDelivery::settle(Result<std::string> final_path, sink::PendingFile& pending,
                                                 std::uint64_t packets, bool recorded) {
  if (final_path) return *final_path;
  if (pending.published().empty()) {
    std::string fate;
    if (keeps_pending(recorded)) {
      // The checkpoint names this complete, synced file: the next run renames it into place.
      ctx_.checkpoints.hold("the split " + pending.path() + " is not renamed yet");
      pending.keep();
      fate = "left as " + pending.path() + ": the checkpoint names it, the next run publishes it";
    } else if (ctx_.checkpoints.active()) {
      pending.discard();
      fate = rebuilt_next();
    } else {
      fate = "kept as " + pending.abandon();
    }
    ctx_.counters.lost_split(packets, DropReason::kWriteFailed);
    fail(fmt::format("{}; the split ({} packets) was not published; {}", final_path.error().message(), packets, fate));
    return std::nullopt;
  }
  fail(final_path.error().message());
  return pending.published();
}

void SplitDelivery::fail(const std::string& message) {
  ctx_.counters.fail(message);
  ctx_.log.error(message);
}

}  // namespace pushcap::push
