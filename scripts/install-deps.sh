#!/usr/bin/env bash
# Installs everything pushcap needs to build, test and benchmark, from Debian 12 packages only.
# Safe to run again: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format clang libclang-rt-14-dev
  # libraries
  libpcap-dev liblua5.4-dev libcli11-dev libfmt-dev nlohmann-json3-dev libexpected-dev
  libzstd-dev liblz4-dev libisal-dev zlib1g-dev libssl-dev
  # rclone endpoints (pushcap runs rclone) and the codecs' own tools (oracles for compressed output)
  rclone gzip zstd lz4 ca-certificates
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # oracles and helpers used by the integration tests and the benchmark
  tcpdump tshark wireshark-common python3 python3-scapy strace util-linux procps time
  # live capture tests: network namespaces with a veth pair, traffic from tcpreplay
  tcpreplay iproute2
  # real servers the endpoint tests start on 127.0.0.1 (s3rver comes from npm: scripts/test-servers.sh)
  openssh-server openssh-client vsftpd
)
# npm installs s3rver for the S3 tests; a machine with its own Node.js keeps it (Debian's npm
# package conflicts with other Node.js installs).
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections 2>/dev/null || true
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
