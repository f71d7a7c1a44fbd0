// Mode = "RCLONE": one rclone daemon and uploader per target. Spooled (the default): the split
// is written and published into the target's spool by the closer (with its spool record and the
// checkpoint), then uploaded, verified and moved to its final remote name; its spooled copy goes
// once its scripts ran. Streamed (Upload = "stream"): rclone rcat takes the bytes as they are
// written; the uploader checks and moves the object, and the checkpoint moves in split order.

#include <fmt/format.h>

#include "core/clock.h"
#include "core/interrupt.h"
#include "push/split_delivery.h"
#include "sink/rclone.h"
#include "sink/rclone_uploader.h"
#include "sink/spool.h"

namespace pushcap::push {
namespace {

class RcloneDelivery final : public SplitDelivery {
 public:
  explicit RcloneDelivery(const DeliveryContext& ctx) : SplitDelivery(ctx) {}

  Result<void> start() override {
    const config::RcloneTarget& rc = ctx_.config.rclone;
    const std::string where = "target '" + ctx_.config.desc + "'";
    sink::RcloneOptions ro;
    ro.config = rc.config;
    ro.extra_flags = rc.flags;
    ro.io_timeout = std::chrono::seconds(rc.timeout);
    ro.command_limit = std::chrono::seconds(std::max(10, rc.timeout * 2));
    ro.log = [this](const std::string& line) { ctx_.log.line(line); };
    // A bad RcloneFlags entry or config: the target stops as after a failed write (its spool
    // keeps what is complete), the run ends with an error naming it.
    ro.cannot_start = [this](const std::string& why) {
      unusable_.store(true, std::memory_order_release);
      fail(why);
    };
    rclone_ = std::make_unique<sink::Rclone>(ro);
    if (auto r = rclone_->start(); !r) return fail_start(r.error(), where);
    if (!rc.stream) {
      auto spool = sink::Spool::open(rc.spool_dir, rc.spool_limit);
      if (!spool) return fail_start(spool.error(), where);
      spool_ = std::move(*spool);
    }
    uploader_ = std::make_unique<sink::RcloneUploader>(*rclone_, spool_.get(), events(),
                                                       std::chrono::seconds(rc.retry_max_delay),
                                                       static_cast<unsigned>(rc.transfers));
    if (spool_) {
      for (const auto& damaged : spool_->set_aside()) {
        ctx_.log.warn("spool entry left as it is, not uploaded: " + damaged);
      }
      if (!spool_->resumed().empty()) {
        ctx_.log.warn(fmt::format("{} splits ({} bytes) left in the spool {} by an earlier run are uploaded first",
                                  spool_->resumed().size(), spool_->bytes(), spool_->dir()));
        for (const auto& e : spool_->resumed()) uploader_->enqueue(e);
      }
    }
    return {};
  }

  Result<std::unique_ptr<SplitOutput>> open(const split::SplitTimes& times, const std::string& tag) override {
    OutputPlan plan;
    plan.compression = ctx_.config.compression;
    plan.pipe_cmd = ctx_.config.pipe_cmd;
    if (!spool_) {
      plan.stream_to = rclone_.get();
      SplitOutput::Place place;
      place.remote_tmp = sink::temporary_name(namer_.path(times, tag, 0));
      auto out = SplitOutput::open(plan, nullptr, place.remote_tmp);
      if (out) (*out)->place = place;
      return out;
    }
    if (!wait_for_room()) return std::unique_ptr<SplitOutput>();
    auto seq = spool_->new_entry();
    if (!seq) return pushcap::fail(seq.error());
    auto out = SplitOutput::open(plan, spool_names(times, tag, *seq), "");
    if (!out) {
      spool_->discard(*seq);
      return out;
    }
    (*out)->place.spool_seq = *seq;
    return out;
  }

  void deliver(std::unique_ptr<SplitOutput> out, SplitHandover split) override {
    const std::string final_name = namer_.path(split.times, split.tag, 0);
    sink::SpoolEntry entry;
    entry.seq = out->place.spool_seq;
    entry.suffix = ctx_.config.spec.suffix;
    entry.remote_base = final_name.substr(0, final_name.size() - entry.suffix.size());
    entry.split = split.facts;
    if (!spool_) {
      if (split.resume) ctx_.checkpoints.stream_handed(entry.remote_base, *split.resume);
      uploader_->enqueue(sink::StreamedSplit{out->take_stream(), out->place.remote_tmp, std::move(entry), {}});
      return;
    }
    if (out->pipe_error()) {
      // Failed splits of an RCLONE target are kept beside its spool, outside the entry folders.
      keep_failed_pipe_split(*out, split.facts.packets, spool_->dir() + "/" + sink::split_remote(final_name).second);
      spool_->discard(entry.seq);
      return;
    }
    out->discard_raw();
    ClosingSplit closing{std::move(*out->take_file()),
                         spool_names(split.times, split.tag, entry.seq),
                         std::nullopt,
                         split.facts.file_bytes,
                         nullptr,
                         nullptr};
    entry.split.path = closing.name(0);
    // Counted from now, so a fast reader cannot run ahead of the closer past the spool's limit.
    spool_->add_bytes(split.facts.file_bytes);
    closing.prepare = [this, entry, resume = split.resume, pending = closing.file.path()]() -> Result<void> {
      if (auto r = spool_->write_record(entry); !r) return r;
      if (resume) return ctx_.checkpoints.save_publishing(*resume, pending);
      return {};
    };
    closing.done = [this, entry](Result<std::string> final_path, sink::PendingFile& pending, bool recorded) mutable {
      const split::FinishedSplit& fs = entry.split;
      auto published = settle(std::move(final_path), pending, fs.packets, recorded);
      if (!published) {
        // A pending file the checkpoint names stays in its spool entry: the next run publishes it.
        if (!keeps_pending(recorded)) spool_->discard(entry.seq, fs.file_bytes);
        return;
      }
      entry.split.path = *published;
      uploader_->enqueue(std::move(entry));
    };
    ctx_.closer.submit(std::move(closing));
  }

  std::string abandon(SplitOutput& out) override {
    std::string fate = SplitDelivery::abandon(out);
    if (spool_) spool_->discard(out.place.spool_seq);
    return fate;
  }

  void finish(const std::function<bool()>& give_up) override {
    if (!uploader_) return;
    if (uploader_->pending() != 0) ctx_.log.line(fmt::format("waiting for {} uploads", uploader_->pending()));
    // Waiting is pointless when rclone cannot even start: what is spooled stays for the next run.
    uploader_->finish([&] {
      if (!give_up() && !unusable_.load(std::memory_order_acquire)) return false;
      // Interrupted: the steps in flight end now, not at their deadlines; what they were sending
      // stays in the spool.
      rclone_->stop();
      return true;
    });
    if (unusable_.load() && spool_ != nullptr) {
      ctx_.log.line(fmt::format("uploads abandoned: rclone cannot start; {} bytes stay in the spool {}",
                                spool_->bytes(), spool_->dir()));
    }
  }

  void fill(TargetStats& s) const override {
    s.rclone = true;
    if (spool_) s.spool_bytes = spool_->bytes();
    if (uploader_) {
      s.upload_pending = uploader_->pending();
      s.upload_error = uploader_->last_error();
    }
  }

 private:
  static Result<void> fail_start(const Error& e, const std::string& where) { return pushcap::fail(e.context(where)); }

  sink::UploaderEvents events() {
    sink::UploaderEvents ev;
    ev.log = [this](const std::string& line) { ctx_.log.line(line); };
    ev.retry = [this](const std::string& error) {
      ctx_.counters.upload_retried();
      ctx_.log.say("upload error (will retry)", error, false);  // the uploader logged it in the target's log
    };
    ev.uploaded = [this](sink::SpoolEntry& entry, bool spooled) { uploaded(entry, spooled); };
    ev.lost = [this](const sink::SpoolEntry& entry, const std::string& error) {
      ctx_.counters.lost_split(entry.split.packets, DropReason::kUploadFailed);
      ctx_.log.error(
          fmt::format("streamed split {} ({} packets) is lost: {}", entry.remote_name(0), entry.split.packets, error));
    };
    return ev;
  }

  // Uploader thread: the split is under its final remote name.
  void uploaded(sink::SpoolEntry& entry, bool spooled) {
    ctx_.counters.uploaded();
    split::FinishedSplit fs = entry.split;
    if (!spooled) {
      if (auto r = ctx_.checkpoints.stream_uploaded(entry.remote_base); !r && ctx_.checkpoints.active()) {
        fail(r.error().message());
      }
      fs.path.clear();
      announce(fs, nullptr);
      return;
    }
    announce(fs, [this, done = entry] { spool_->remove(done); });
  }

  // Waits for room in a full spool; false when a signal came first.
  bool wait_for_room() {
    if (spool_->bytes() < spool_->limit()) return true;
    ctx_.counters.spool_waited();
    ctx_.log.warn(fmt::format("the spool {} is full ({} of {} bytes): reading waits until uploads make room",
                              spool_->dir(), spool_->bytes(), spool_->limit()));
    const std::int64_t started = mono_ns();
    const bool ok = spool_->wait_for_room([] { return interrupt_count().load() > 0; });
    if (ok) {
      ctx_.log.line(fmt::format("spool has room again after {:.1f} s", static_cast<double>(mono_ns() - started) / 1e9));
    }
    return ok;
  }

  // An RCLONE split is spooled under its remote file name, in a folder of its own.
  [[nodiscard]] sink::NameFn spool_names(const split::SplitTimes& times, const std::string& tag,
                                         std::uint64_t seq) const {
    std::string dir = spool_->entry_dir(seq);
    std::string name = sink::split_remote(namer_.path(times, tag, 0)).second;
    return
        [dir, name](unsigned serial) { return dir + "/" + name + (serial == 0 ? "" : "_" + std::to_string(serial)); };
  }

  std::unique_ptr<sink::Rclone> rclone_;
  std::unique_ptr<sink::Spool> spool_;  // null when streaming
  std::unique_ptr<sink::RcloneUploader> uploader_;
  std::atomic<bool> unusable_{false};  // rclone's daemon exits at start (bad flag or config)
};

}  // namespace

std::unique_ptr<SplitDelivery> make_rclone_delivery(const DeliveryContext& ctx) {
  return std::make_unique<RcloneDelivery>(ctx);
}

}  // namespace pushcap::push
