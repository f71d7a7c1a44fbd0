#!/usr/bin/env bash
# One command from a fresh clone: installs the Debian packages, builds, and runs the example
# config (examples/push_realtime.lua) over the bundled sample capture into ./out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
rm -rf out/push
./build/release/pushcap check --config examples/push_realtime.lua
./build/release/pushcap run --config examples/push_realtime.lua --log-dir out/log --offline examples/sample.pcap
echo
echo "split files:"
ls -l out/push/
echo "logs: out/log/ (pushcap.cur, push_pcap-all.cur, push_pcap-tcp.cur)"
