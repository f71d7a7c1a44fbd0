#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded from the real captures in tests/data. A crash leaves its input in build/fuzz/ and
# fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DPUSHCAP_FUZZ=ON -DPUSHCAP_BUILD_TESTS=OFF -DPUSHCAP_BUILD_BENCH=OFF >/dev/null
cmake --build build/fuzz --target capture_fuzz decap_fuzz -j "$(nproc)" >/dev/null
corpus=build/fuzz/corpus
rm -rf "$corpus"; mkdir -p "$corpus"
# Seeds: each real capture with a first byte choosing the read size.
i=0
for f in tests/data/real/*.pcap tests/data/real/*.pcapng; do
  { printf "\\x$(printf %02x $((i % 256)))"; head -c 65536 "$f"; } > "$corpus/seed$i"
  i=$((i + 1))
done
decap_corpus=build/fuzz/decap_corpus
rm -rf "$decap_corpus"; mkdir -p "$decap_corpus"
/usr/bin/python3 tests/fuzz/seed_packets.py "$decap_corpus"
cd build/fuzz
echo "== capture_fuzz (readers)"
./tests/fuzz/capture_fuzz corpus -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -max_len=70000 \
  -print_final_stats=1 2>&1 | tail -15
echo "== decap_fuzz (decap chain, trailers, FilterFrame)"
./tests/fuzz/decap_fuzz decap_corpus -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -max_len=4096 \
  -print_final_stats=1 2>&1 | tail -15
