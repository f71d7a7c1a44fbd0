#include "sink/file_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>

#include <memory>

#include "core/fd.h"

namespace pushcap::sink {

Result<std::string> md5_file(const std::string& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1) return fail(Errc::kIo, "cannot start MD5");
  std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[1u << 20]);
  for (;;) {
    auto n = read_full(fd->get(), buf.get(), 1u << 20, path);
    if (!n) return fail(n.error());
    if (*n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.get(), *n);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace pushcap::sink
