#pragma once
// The writer's lock on a stream (DIR/.lock, flock): held by the capture process for as long as
// it writes the stream. A follower that finds it free knows the writer is gone (stopped or
// crashed) and that nothing more will be appended.

#include <string>

#include "core/fd.h"
#include "core/result.h"

namespace pushcap::store {

/// Takes the exclusive lock on DIR/.lock (creating it); fails when another process holds it.
Result<Fd> lock_stream(const std::string& stream_dir);
/// True while some process holds DIR/.lock (false when there is no lock file).
bool stream_writer_alive(const std::string& stream_dir);

}  // namespace pushcap::store
