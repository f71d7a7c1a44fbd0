#pragma once
// MD5 of a local file, to compare a spooled split with what the remote holds (the hash most
// rclone backends report: S3 ETags of single-part uploads, SFTP servers with md5sum).

#include <string>

#include "core/result.h"

namespace pushcap::sink {

/// Lower-case hex MD5 of the file's contents.
Result<std::string> md5_file(const std::string& path);

}  // namespace pushcap::sink
