#include "store/watermark_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

#include "core/endian.h"
#include "store/store_layout.h"

namespace pushcap::store {
namespace {

constexpr std::size_t kSlot = 128;
constexpr std::uint32_t kMagic = 0x4d575350;  // "PSWM"
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kFields = 12;  // u64 fields after magic+version, before the CRC

void encode(const Watermark& w, std::uint8_t* slot) {
  std::memset(slot, 0, kSlot);
  store_le<std::uint32_t>(slot, kMagic);
  store_le<std::uint32_t>(slot + 4, kVersion);
  const std::uint64_t fields[kFields] = {w.seq,     w.ts_ns,          w.segment,  w.segment_bytes,  w.packets,
                                         w.bytes,   w.kernel_drops,   w.if_drops, w.overflow_drops, w.late,
                                         w.wall_ns, w.ended ? 1u : 0u};
  for (std::size_t i = 0; i < kFields; ++i) store_le<std::uint64_t>(slot + 8 + 8 * i, fields[i]);
  const uLong crc = crc32(0, slot, kSlot - 4);
  store_le<std::uint32_t>(slot + kSlot - 4, static_cast<std::uint32_t>(crc));
}

std::optional<Watermark> decode(const std::uint8_t* slot) {
  if (load_le<std::uint32_t>(slot) != kMagic || load_le<std::uint32_t>(slot + 4) != kVersion) return std::nullopt;
  if (load_le<std::uint32_t>(slot + kSlot - 4) != static_cast<std::uint32_t>(crc32(0, slot, kSlot - 4))) {
    return std::nullopt;
  }
  std::uint64_t f[kFields];
  for (std::size_t i = 0; i < kFields; ++i) f[i] = load_le<std::uint64_t>(slot + 8 + 8 * i);
  Watermark w;
  w.seq = f[0];
  w.ts_ns = f[1];
  w.segment = f[2];
  w.segment_bytes = f[3];
  w.packets = f[4];
  w.bytes = f[5];
  w.kernel_drops = f[6];
  w.if_drops = f[7];
  w.overflow_drops = f[8];
  w.late = f[9];
  w.wall_ns = f[10];
  w.ended = f[11] != 0;
  return w;
}

}  // namespace

Result<WatermarkWriter> WatermarkWriter::create(const std::string& path) {
  auto fd = open_file(path, O_RDWR | O_CREAT | O_EXCL);
  if (!fd) return fail(fd.error());
  WatermarkWriter w;
  w.fd_ = std::move(*fd);
  w.path_ = path;
  return w;
}

Result<WatermarkWriter> WatermarkWriter::open_existing(const std::string& path) {
  auto last = read_watermark(path);
  if (!last) return fail(last.error());
  auto fd = open_file(path, O_RDWR);
  if (!fd) return fail(fd.error());
  WatermarkWriter w;
  w.fd_ = std::move(*fd);
  w.path_ = path;
  w.seq_ = *last ? (*last)->seq : 0;
  return w;
}

Result<void> WatermarkWriter::publish(Watermark w) {
  w.seq = ++seq_;
  std::uint8_t slot[kSlot];
  encode(w, slot);
  const off_t at = static_cast<off_t>((w.seq % 2) * kSlot);
  if (::pwrite(fd_.get(), slot, kSlot, at) != static_cast<ssize_t>(kSlot)) {
    return fail(Errc::kIo, fmt::format("cannot write the watermark {}: {}", path_, errno_text(errno)));
  }
  if (::fdatasync(fd_.get()) != 0) {
    return fail(Errc::kIo, fmt::format("cannot sync the watermark {}: {}", path_, errno_text(errno)));
  }
  return {};
}

Result<std::optional<Watermark>> read_watermark(const std::string& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  return read_watermark(fd->get(), path);
}

Result<std::optional<Watermark>> read_watermark(int fd, const std::string& path) {
  std::uint8_t buf[2 * kSlot];
  ssize_t got = ::pread(fd, buf, sizeof buf, 0);
  if (got < 0) return fail(Errc::kIo, fmt::format("cannot read the watermark {}: {}", path, errno_text(errno)));
  std::optional<Watermark> best;
  for (std::size_t s = 0; s < 2; ++s) {
    if (static_cast<std::size_t>(got) < (s + 1) * kSlot) break;
    auto w = decode(buf + s * kSlot);
    if (w && (!best || w->seq > best->seq)) best = w;
  }
  return best;
}

void WatermarkReader::open(const std::string& stream_dir) {
  dir_ = stream_dir;
  auto fd = open_file(dir_ + "/" + kWatermarkFile, O_RDONLY);
  fd_ = fd ? std::move(*fd) : Fd();
}

std::optional<Watermark> WatermarkReader::read() {
  if (!fd_.valid()) open(dir_);
  if (!fd_.valid()) return std::nullopt;
  auto w = read_watermark(fd_.get(), dir_ + "/" + kWatermarkFile);
  return w ? *w : std::nullopt;
}

}  // namespace pushcap::store
