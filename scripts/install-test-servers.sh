#!/usr/bin/env bash
# Installs the test servers that Debian does not package: s3rver (an S3 server, from npm) into
# build/test-servers. The endpoint tests start it on 127.0.0.1 themselves. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${PUSHCAP_TEST_SERVERS:-build/test-servers}
if [[ -x $dest/node_modules/.bin/s3rver ]]; then
  echo "install-test-servers: s3rver present"
  exit 0
fi
mkdir -p "$dest"
# Debian's Node.js trusts only its own CA list; use the system's store (which also holds any CA a
# site's TLS proxy needs) unless npm was told otherwise.
ca=()
if [[ -r /etc/ssl/certs/ca-certificates.crt && $(npm config get cafile 2>/dev/null) == null ]]; then
  ca=(--cafile /etc/ssl/certs/ca-certificates.crt)
fi
npm install --prefix "$dest" "${ca[@]}" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >/dev/null
echo "install-test-servers: s3rver installed in $dest"
