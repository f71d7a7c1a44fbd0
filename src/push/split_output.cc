#include "push/split_output.h"

#include <sys/stat.h>
#include <unistd.h>

namespace pushcap::push {

Result<std::unique_ptr<SplitOutput>> SplitOutput::open(const OutputPlan& plan, const sink::NameFn& local,
                                                       const std::string& remote_tmp) {
  std::unique_ptr<SplitOutput> out(new SplitOutput());
  if (plan.stream_to != nullptr) {
    const sink::Rclone& rclone = *plan.stream_to;
    auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(rclone.options().io_timeout * 2);
    auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(rclone.options().command_limit * 5);
    auto rcat = encode::PipeCommand::start(rclone.rcat(remote_tmp), "rclone rcat " + remote_tmp, stall, limit);
    if (!rcat) return fail(rcat.error());
    out->stream_ = std::move(*rcat);
    out->head_ = out->stream_.get();
  } else {
    auto file = sink::PendingFile::create(local);
    if (!file) return fail(file.error());
    out->file_ = std::move(*file);
    out->file_sink_ = std::make_unique<FdSink>(out->file_->fd(), out->file_->path());
    out->head_ = out->file_sink_.get();
  }
  if (!plan.pipe_cmd.empty() && out->file_) {
    auto raw = sink::PendingFile::create([&](unsigned serial) { return local(serial) + ".raw"; });
    if (!raw) return fail(raw.error());
    out->raw_ = std::move(*raw);
    out->raw_sink_ = std::make_unique<FdSink>(out->raw_->fd(), out->raw_->path());
    // The command writes through a descriptor of its own: it does not hold the file's lock, so
    // a command still running after its run died does not keep the file from the next sweep.
    auto writer = out->file_->open_writer();
    if (!writer) return fail(writer.error());
    auto pipe = encode::PipeCommand::shell(plan.pipe_cmd, writer->get(), plan.pipe_stall, plan.pipe_limit);
    if (!pipe) {
      out->pipe_error_ = pipe.error();  // the raw copy still takes the split
    } else {
      out->pipe_ = std::move(*pipe);
    }
    out->head_ = nullptr;
  } else if (plan.compression.active()) {
    auto codec = encode::make_encoder(plan.compression, *out->head_);
    if (!codec) return fail(codec.error());
    out->codec_ = std::move(*codec);
    out->head_ = out->codec_.get();
  }
  return out;
}

SplitOutput::~SplitOutput() = default;

Result<void> SplitOutput::write(const std::uint8_t* data, std::size_t len) {
  if (head_ != nullptr) return head_->write(data, len);
  if (auto r = raw_sink_->write(data, len); !r) return r;
  if (pipe_ && !pipe_error_) {
    if (auto r = pipe_->write(data, len); !r) pipe_error_ = r.error();
  }
  return {};
}

Result<void> SplitOutput::finish() {
  if (codec_) {
    if (auto r = codec_->finish(); !r) return r;
  }
  if (pipe_ && !pipe_error_) {
    if (auto r = pipe_->finish(); !r) pipe_error_ = r.error();
  }
  return {};
}

Result<std::string> SplitOutput::keep_raw(const std::string& final_name) {
  if (file_) {
    ::unlink(file_->path().c_str());  // the command's partial output: never published
    file_.reset();
  }
  if (!raw_) return fail(Errc::kIo, "no raw copy of the split");
  auto kept = raw_->finalize(
      [&](unsigned serial) {
        return final_name + (serial == 0 ? "" : "_" + std::to_string(serial)) + ".pipecmd-failed.pcap";
      },
      std::nullopt);
  raw_.reset();
  return kept;
}

void SplitOutput::discard_raw() {
  if (!raw_) return;
  ::unlink(raw_->path().c_str());
  raw_.reset();
}

std::uint64_t SplitOutput::file_bytes() const {
  if (stream_) return stream_->bytes();
  struct stat st {};
  if (file_ && ::fstat(file_->fd(), &st) == 0) return static_cast<std::uint64_t>(st.st_size);
  return 0;
}

std::string SplitOutput::abandon() {
  if (pipe_) pipe_->abort();
  if (stream_) stream_->abort();
  std::string kept;
  if (raw_) kept = raw_->abandon();
  if (file_) {
    std::string f = file_->abandon();
    kept = kept.empty() ? f : kept + " and " + f;
  }
  return kept;
}

void SplitOutput::discard() {
  if (pipe_) pipe_->abort();
  if (stream_) stream_->abort();
  if (raw_) raw_->discard();
  if (file_) file_->discard();
}

}  // namespace pushcap::push
