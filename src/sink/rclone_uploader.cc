#include "sink/rclone_uploader.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "sink/file_hash.h"
#include "sink/pending_file.h"

namespace pushcap::sink {
namespace {}  // namespace

std::string temporary_name(const std::string& remote) {
  auto [dir, name] = split_remote(remote);
  return dir + "." + name + ".partial";
}

RcloneUploader::RcloneUploader(const Rclone& rclone, Spool* spool, UploaderEvents events,
                               std::chrono::seconds max_backoff, unsigned transfers)
    : rclone_(rclone),
      spool_(spool),
      events_(std::move(events)),
      max_backoff_(std::chrono::duration_cast<std::chrono::milliseconds>(max_backoff)) {
  for (unsigned i = 0; i < std::max(1u, transfers); ++i) threads_.emplace_back([this] { loop(); });
}

RcloneUploader::~RcloneUploader() {
  finish([] { return true; });
}

void RcloneUploader::enqueue(SpoolEntry entry) {
  Job job;
  job.spooled = std::move(entry);
  add(std::move(job));
}

void RcloneUploader::enqueue(StreamedSplit split) {
  Job job;
  job.streamed = std::move(split);
  add(std::move(job));
}

void RcloneUploader::add(Job job) {
  queue_.push(std::move(job));
}

std::size_t RcloneUploader::pending() const {
  return queue_.size();
}

std::string RcloneUploader::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void RcloneUploader::finish(const std::function<bool()>& give_up) {
  queue_.close();
  while (!queue_.wait_idle_for(std::chrono::milliseconds(0))) {
    if (give_up()) {
      // What is queued or in flight stays in the spool for the next run.
      queue_.cancel();
      break;
    }
    queue_.wait_idle_for(std::chrono::milliseconds(100));
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool RcloneUploader::sleep_backoff(std::chrono::milliseconds delay) {
  return !queue_.wait_cancelled_for(delay);
}

void RcloneUploader::loop() {
  while (auto taken = queue_.pop()) {
    Job& job = taken->item;
    std::chrono::milliseconds backoff(1000);
    std::string md5;
    bool rcat_done = false;
    bool ok = false;
    for (;;) {
      Result<void> r;
      if (job.spooled) {
        r = job.spooled->uploaded ? Result<void>() : upload(*job.spooled, md5);
        if (r && !job.spooled->uploaded) {
          r = spool_->mark_uploaded(*job.spooled);
          if (r) job.spooled->uploaded = true;
        }
      } else {
        r = complete_stream(*job.streamed, rcat_done);
      }
      if (r) {
        ok = true;
        break;
      }
      {
        std::lock_guard lock(error_mutex_);
        last_error_ = r.error().message();
      }
      if (job.streamed && r.error().code() == Errc::kDamagedCapture) {
        if (events_.lost) events_.lost(job.streamed->entry, r.error().message());
        break;
      }
      if (events_.retry) events_.retry(r.error().message());
      if (events_.log) {
        events_.log(fmt::format("upload failed: {}; retrying in {} s", r.error().message(), backoff.count() / 1000));
      }
      if (!sleep_backoff(backoff)) break;  // giving up: the entry stays in the spool
      backoff = std::min(backoff * 2, max_backoff_);
    }
    if (ok) {
      {
        std::lock_guard lock(error_mutex_);
        last_error_.clear();
      }
      if (job.spooled) {
        if (events_.uploaded) events_.uploaded(*job.spooled, true);
      } else if (events_.uploaded) {
        events_.uploaded(job.streamed->entry, false);
      }
    }
    queue_.done(taken->weight);
  }
}

Result<void> RcloneUploader::upload(SpoolEntry& entry, std::string& local_md5) {
  const std::string& local = entry.split.path;
  struct stat st {};
  if (::stat(local.c_str(), &st) != 0) return fail(Errc::kIo, "the spooled file " + local + " is gone");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  auto md5 = [&]() -> Result<std::string> {
    if (local_md5.empty()) {
      auto h = md5_file(local);
      if (!h) return fail(h.error());
      local_md5 = *h;
    }
    return local_md5;
  };
  for (unsigned serial = 0; serial < kMaxSerial; ++serial) {
    const std::string remote = entry.remote_name(serial);
    auto existing = rclone_.stat(remote);
    if (!existing) return fail(existing.error());
    if (*existing) {
      bool same = (*existing)->size == size;
      if (same && !(*existing)->md5.empty()) {
        auto h = md5();
        if (!h) return fail(h.error());
        same = *h == (*existing)->md5;
      }
      if (same) {
        // An earlier run uploaded it (and may have stopped before it could clean up).
        if (events_.log) events_.log(fmt::format("{} is already on the remote with the same content", remote));
        auto temp = rclone_.stat(temporary_name(remote));
        if (temp && *temp) (void)rclone_.deletefile(temporary_name(remote));
        entry.split.remote = remote;
        return {};
      }
      if (events_.log) events_.log(fmt::format("{} exists with other content; trying the next free name", remote));
      continue;
    }
    // rclone checks the MD5 it computed while sending against the remote's (where the backend
    // has one) and fails the copy on a mismatch; pushcap checks the size of what arrived.
    const std::string temp = temporary_name(remote);
    if (auto r = rclone_.copyto(local, temp, size); !r) return r;
    auto uploaded = rclone_.stat(temp, false);
    if (!uploaded) return fail(uploaded.error());
    if (!*uploaded) return fail(Errc::kIo, fmt::format("{} is missing right after rclone copied it", temp));
    if ((*uploaded)->size != size) {
      (void)rclone_.deletefile(temp);
      return fail(Errc::kIo,
                  fmt::format("{} has {} bytes on the remote, the spooled file {}", temp, (*uploaded)->size, size));
    }
    const std::string checked = "size";
    if (auto r = rclone_.moveto(temp, remote, size); !r) return r;
    entry.split.remote = remote;
    if (events_.log) {
      events_.log(fmt::format("uploaded {} ({} bytes; {} checked, hash by rclone where the backend has one)", remote,
                              size, checked));
    }
    return {};
  }
  return fail(Errc::kExists, "no free remote name for " + entry.remote_name(0));
}

Result<void> RcloneUploader::complete_stream(StreamedSplit& split, bool& rcat_done) {
  if (!rcat_done) {
    rcat_done = true;
    if (auto r = split.rcat->finish(); !r) {
      (void)rclone_.deletefile(split.temp);
      return fail(Errc::kDamagedCapture, r.error().message() + " (the streamed split is lost)");
    }
  }
  const std::uint64_t size = split.rcat->bytes();
  auto uploaded = rclone_.stat(split.temp, false);
  if (!uploaded) return fail(uploaded.error());
  if (!*uploaded && !split.moving_to.empty()) {
    // A move that reported a failure may still have happened.
    auto moved = rclone_.stat(split.moving_to);
    if (!moved) return fail(moved.error());
    if (*moved && (*moved)->size == size) {
      split.entry.split.remote = split.moving_to;
      return {};
    }
  }
  if (!*uploaded) {
    return fail(Errc::kDamagedCapture, fmt::format("{} is missing after rclone rcat ended well", split.temp));
  }
  if ((*uploaded)->size != size) {
    (void)rclone_.deletefile(split.temp);
    return fail(Errc::kDamagedCapture,
                fmt::format("{} has {} bytes on the remote, {} were streamed", split.temp, (*uploaded)->size, size));
  }
  SpoolEntry& entry = split.entry;
  for (unsigned serial = 0; serial < kMaxSerial; ++serial) {
    const std::string remote = entry.remote_name(serial);
    auto existing = rclone_.stat(remote);
    if (!existing) return fail(existing.error());
    if (*existing) continue;
    split.moving_to = remote;
    if (auto r = rclone_.moveto(split.temp, remote, size); !r) return r;
    entry.split.remote = remote;
    if (events_.log) events_.log(fmt::format("streamed {} ({} bytes, size verified)", remote, size));
    return {};
  }
  return fail(Errc::kExists, "no free remote name for " + entry.remote_name(0));
}

}  // namespace pushcap::sink
