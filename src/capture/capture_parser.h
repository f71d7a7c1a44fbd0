#pragma once
// The interface shared by the pcap and pcapng parsers: turn bytes of one input into Records.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "capture/batch.h"
#include "capture/link_format.h"
#include "core/result.h"

namespace pushcap::capture {

/// What one parse() call did.
struct ParseResult {
  std::size_t consumed = 0;    ///< bytes of whole records and blocks used, from `begin`
  std::size_t next_need = 0;   ///< when the next record is incomplete: the bytes it needs in all
  std::optional<Error> error;  ///< damage found: the input stops here (message names the offset)
};

/// Parses one capture stream incrementally. Records are appended to the batch; formats are
/// interned in the registry. Never trusts a length field: every length is checked against the
/// bytes present and against fixed bounds before use.
class CaptureParser {
 public:
  virtual ~CaptureParser() = default;
  /// Parses whole records in batch.data[begin, end); `eof` says no more bytes follow.
  virtual ParseResult parse(Batch& batch, std::size_t begin, std::size_t end, bool eof) = 0;
  /// "pcap" or "pcapng".
  [[nodiscard]] virtual const char* kind() const = 0;
};

/// The capture format identified from the first bytes of a stream.
enum class CaptureKind { kPcap, kPcapng, kUnknown };

/// Identifies a stream from its first four bytes (never from a file name).
CaptureKind detect_kind(const std::uint8_t* bytes, std::size_t len);

/// A parser for `kind`, interning formats into `registry` (which must outlive it).
std::unique_ptr<CaptureParser> make_parser(CaptureKind kind, FormatRegistry& registry);

/// "byte offset N: reason" as a damage Error.
Error damage(std::uint64_t offset, const std::string& reason);

}  // namespace pushcap::capture
