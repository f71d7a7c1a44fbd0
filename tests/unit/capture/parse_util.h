#pragma once
// Runs a parser over an in-memory capture, as one buffer.

#include <memory>

#include "capture/capture_parser.h"
#include "test_util.h"

namespace pushcap::test {

struct Parsed {
  capture::Batch batch;
  capture::ParseResult result;
  capture::FormatRegistry registry;
};

inline std::unique_ptr<Parsed> parse_all(const Bytes& bytes, bool eof = true,
                                         capture::CaptureKind kind = capture::CaptureKind::kUnknown) {
  auto p = std::make_unique<Parsed>();
  p->batch.reserve(bytes.size() + 1, 0);
  if (!bytes.empty()) std::memcpy(p->batch.data.get(), bytes.data(), bytes.size());
  p->batch.size = bytes.size();
  if (kind == capture::CaptureKind::kUnknown) kind = capture::detect_kind(bytes.data(), bytes.size());
  auto parser =
      capture::make_parser(kind == capture::CaptureKind::kUnknown ? capture::CaptureKind::kPcap : kind, p->registry);
  p->result = parser->parse(p->batch, 0, bytes.size(), eof);
  p->batch.formats = p->registry.snapshot();
  return p;
}

}  // namespace pushcap::test
