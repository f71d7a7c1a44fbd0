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
npm install --prefix "$dest" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >/dev/null
echo "install-test-servers: s3rver installed in $dest"
