// Mode = "File": a split is published by the closer (fsync, the checkpoint, rename without
// replacing, directory fsync).

#include <dirent.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/fd.h"
#include "push/split_delivery.h"

namespace pushcap::push {
namespace {

class LocalDelivery final : public SplitDelivery {
 public:
  explicit LocalDelivery(const DeliveryContext& ctx) : SplitDelivery(ctx) {}

  Result<std::unique_ptr<SplitOutput>> open(const split::SplitTimes& times, const std::string& tag) override {
    return SplitOutput::open(plan(), names(times, tag), "");
  }

  void deliver(std::unique_ptr<SplitOutput> out, SplitHandover split) override {
    const std::string final_name = namer_.path(split.times, split.tag, 0);
    if (out->pipe_error()) {
      keep_failed_pipe_split(*out, split.facts.packets, final_name);
      return;
    }
    out->discard_raw();
    ClosingSplit closing{std::move(*out->take_file()),
                         names(split.times, split.tag),
                         ctx_.config.spec.owner,
                         split.facts.file_bytes,
                         nullptr,
                         nullptr};
    if (split.resume) {
      closing.prepare = [this, resume = *split.resume, pending = closing.file.path()]() {
        return ctx_.checkpoints.save_publishing(resume, pending);
      };
    }
    closing.done = [this, fs = split.facts](Result<std::string> final_path, sink::PendingFile& pending,
                                            bool recorded) mutable {
      auto published = settle(std::move(final_path), pending, fs.packets, recorded);
      if (!published) return;
      fs.path = *published;
      announce(fs, nullptr);
    };
    ctx_.closer.submit(std::move(closing));
  }

  std::vector<std::string> remove_stale_pending() override {
    std::vector<std::string> removed;
    // Every local name this target makes starts with its prefix and ends in its suffix, then
    // ".pending" while open (".raw.pending" for a PipeCmd's raw copy).
    const std::string probe = namer_.path(split::SplitTimes{}, "", 0);
    const std::string dir = dir_name(probe);
    const std::string& prefix = ctx_.config.prefix;
    const std::string base = prefix.size() > dir.size() && prefix.compare(0, dir.size(), dir) == 0
                                 ? prefix.substr(dir.size() + (prefix[dir.size()] == '/' ? 1 : 0))
                                 : prefix;
    const std::string pending_end = ctx_.config.spec.suffix + ".pending";
    const std::string raw_end = ctx_.config.spec.suffix + ".raw.pending";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return removed;
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() <= base.size() + pending_end.size() || n.compare(0, base.size(), base) != 0) continue;
      if (!n.ends_with(pending_end) && !n.ends_with(raw_end)) continue;
      const std::string path = dir + "/" + n;
      if (sink::remove_orphan(path)) removed.push_back(path);
    }
    ::closedir(d);
    return removed;
  }

 private:
  [[nodiscard]] OutputPlan plan() const {
    OutputPlan p;
    p.compression = ctx_.config.compression;
    p.pipe_cmd = ctx_.config.pipe_cmd;
    return p;
  }

  [[nodiscard]] sink::NameFn names(const split::SplitTimes& times, const std::string& tag) const {
    return [this, times, tag](unsigned serial) { return namer_.path(times, tag, serial); };
  }
};

}  // namespace

std::unique_ptr<SplitDelivery> make_local_delivery(const DeliveryContext& ctx) {
  return std::make_unique<LocalDelivery>(ctx);
}

}  // namespace pushcap::push
