#!/usr/bin/env bash
# Side-by-side benchmark of issue #4's stages, in one run (not a test: nothing fails):
#   compression: a 60 s time split with Compress = "gzip" against the same split through
#     PipeCmd = "gzip -c -1", and Compress = "zstd" against PipeCmd = "zstd -1 -c" (and lz4);
#     Gbps of input, output size as a ratio of the input, every gzip file checked with gzip -t.
#   upload: an RCLONE target (spooled, and streaming) into `rclone serve sftp` on 127.0.0.1
#     against plain `rclone copy` of the same split files into the same server, on two inputs
#     of the same size (50 s and 5 minutes of traffic); median of BENCH_UPLOAD_RUNS (5) runs.
#
#   bash bench/endpoints.sh [SIZE_BYTES]      (default 5e8; needs root to mount a tmpfs)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-5e8}
bin=${PUSHCAP:-build/release/pushcap}
[[ -x $bin ]] || bash scripts/build.sh release >/dev/null
work=${BENCH_DIR:-/var/tmp/pushcap-bench}
mkdir -p "$work" "$work/tmpfs"
mountpoint -q "$work/tmpfs" || mount -t tmpfs -o size=12g tmpfs "$work/tmpfs"
in=$work/enc-in.pcap
if [[ ! -f $in ]] || [[ $(stat -c %s "$in") -lt $(python3 -c "print(int(float('$size')))") ]]; then
  python3 tests/integration/gen_capture.py "$in" --bytes "$size"
fi
cat "$in" >/dev/null
bytes=$(stat -c %s "$in")
out=$work/tmpfs/enc
runs=${BENCH_RUNS:-2}
declare -A secs outbytes

measure() {  # name, command...: best of $runs; records the output's total size
  local name=$1 best="" t0 t1 s
  shift
  for ((i = 0; i < runs; i++)); do
    rm -rf "$out"; mkdir -p "$out"
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$work/err" || { echo "$name failed:"; tail -3 "$work/err"; }
    t1=$(date +%s.%N)
    s=$(python3 -c "print($t1 - $t0)")
    if [[ -z $best ]] || python3 -c "import sys; sys.exit(0 if $s < $best else 1)"; then best=$s; fi
  done
  secs[$name]=$best
  outbytes[$name]=$(du -sb "$out" | cut -f1)
}

split=(split --split-time 60e9 --no-progress -o "$out/")
measure "pushcap Compress gzip" "$bin" "${split[@]}" --compress gzip "$in"
for f in "$out"/*.gz; do gzip -t "$f"; done
echo "gzip -t: every Compress=gzip file is gunzip-compatible" >&2
measure "pushcap PipeCmd gzip -c -1" "$bin" "${split[@]}" --pipe-cmd "gzip -c -1" --filename-suffix .pcap.gz "$in"
measure "pushcap Compress zstd" "$bin" "${split[@]}" --compress zstd "$in"
for f in "$out"/*.zst; do zstd -t -q "$f"; done
measure "pushcap PipeCmd zstd -1 -c" "$bin" "${split[@]}" --pipe-cmd "zstd -1 -c" --filename-suffix .pcap.zst "$in"
measure "pushcap Compress lz4" "$bin" "${split[@]}" --compress lz4 "$in"
measure "pushcap no compression" "$bin" "${split[@]}" "$in"

# Upload: rclone serve sftp on loopback, its folder on the tmpfs, a fresh server for every run
# (its directory cache would otherwise remember the previous run's files).
srv=$work/tmpfs/srv
conf=$work/rclone.conf
server=""
trap '[[ -n $server ]] && kill $server 2>/dev/null; true' EXIT
start_server() {
  rm -rf "$srv"; mkdir -p "$srv"
  local port
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  rclone serve sftp "$srv" --addr "127.0.0.1:$port" --user u --pass p --config /dev/null >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  printf '[sf]\ntype = sftp\nhost = 127.0.0.1\nport = %s\nuser = u\npass = %s\n' "$port" "$(rclone obscure p)" >"$conf"
}
# Two inputs of the same size: the benchmark capture (about 50 s of traffic, so its 60 s splits
# are one file of 80% and one of 20%: the first upload can only start once 80% of the input is
# split), and the same bytes spread over 5 minutes (six 60 s splits: splitting overlaps uploads).
in5=$work/enc-in-5min.pcap
if [[ ! -f $in5 ]] || [[ $(stat -c %s "$in5") -lt $bytes ]]; then
  python3 tests/integration/gen_capture.py "$in5" --bytes "$bytes" --gap-ns 120000
fi
cat "$in5" >/dev/null
declare -A samples
upload_once() {  # name, command...: one run into a fresh server, its seconds added to the name's samples
  local name=$1 t0 t1
  shift
  start_server
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/err" || { echo "$name failed:"; tail -3 "$work/err"; }
  t1=$(date +%s.%N)
  samples[$name]+="$(python3 -c "print($t1 - $t0)") "
  outbytes[$name]=$(du -sb "$srv" | cut -f1)
  kill $server; wait $server 2>/dev/null || true; server=""
}
median() { python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" $1; }
files=$work/tmpfs/files
declare -A nfiles
upload_pair() {  # label, input
  local label=$1 input=$2
  rm -rf "$files"; "$bin" split --split-time 60e9 --no-progress -o "$files/" "$input" >/dev/null 2>&1
  nfiles[$label]=$(ls "$files" | wc -l)
  for mode in spool stream; do
    cat > "$work/up-$mode.lua" <<LUA
return { RcloneConfig = "$conf", SpoolDir = "$work/tmpfs/spool", Target = {
  { Desc = "up", Mode = "RCLONE", Path = "sf:pushcap/", Split = "--split-time 60e9", Upload = "$mode" } } }
LUA
  done
  # Uploads vary more than local runs (two cores shared by client, server and pushcap): the
  # three are run in turn, upload_runs times, and each gets its median.
  for ((r = 0; r < upload_runs; r++)); do
    upload_once "rclone copy, $label" env -u AWS_CA_BUNDLE rclone --config "$conf" copy "$files" sf:copy/
    upload_once "pushcap RCLONE, $label" "$bin" run --config "$work/up-spool.lua" --log-dir "$work/log" --no-progress \
      --offline "$input"
    upload_once "pushcap RCLONE stream, $label" "$bin" run --config "$work/up-stream.lua" --log-dir "$work/log" \
      --no-progress --offline "$input"
  done
  for name in "rclone copy, $label" "pushcap RCLONE, $label" "pushcap RCLONE stream, $label"; do
    secs[$name]=$(median "${samples[$name]}")
  done
}
upload_runs=${BENCH_UPLOAD_RUNS:-5}
upload_pair "50 s input" "$in"
upload_pair "5 min input" "$in5"

printf "\ninput: %s bytes (%s), %s cores, %s; 60 s splits (%s files; the 5 min input: %s files)\n" "$bytes" "$in" \
  "$(nproc)" "$(date -u +%FT%TZ)" "${nfiles[50 s input]}" "${nfiles[5 min input]}"
printf "%-40s %9s %9s %10s\n" what seconds "Gbps in" "out/in"
for name in "pushcap no compression" "pushcap Compress gzip" "pushcap PipeCmd gzip -c -1" "pushcap Compress zstd" \
            "pushcap PipeCmd zstd -1 -c" "pushcap Compress lz4" \
            "rclone copy, 50 s input" "pushcap RCLONE, 50 s input" "pushcap RCLONE stream, 50 s input" \
            "rclone copy, 5 min input" "pushcap RCLONE, 5 min input" "pushcap RCLONE stream, 5 min input"; do
  python3 - "$name" "${secs[$name]}" "$bytes" "${outbytes[$name]}" <<'PY'
import sys
name, s, b, o = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{name:<40} {s:9.3f} {b * 8 / s / 1e9:9.2f} {o / b:10.3f}")
PY
done
python3 - "${secs[pushcap Compress gzip]}" "${secs[pushcap PipeCmd gzip -c -1]}" "${secs[pushcap Compress zstd]}" \
  "${secs[pushcap PipeCmd zstd -1 -c]}" "${secs[rclone copy, 50 s input]}" "${secs[pushcap RCLONE, 50 s input]}" \
  "${secs[rclone copy, 5 min input]}" "${secs[pushcap RCLONE, 5 min input]}" <<'PY'
import sys
g, pg, z, pz, rc50, pr50, rc5, pr5 = map(float, sys.argv[1:])
print(f"\nCompress gzip is {pg / g:.1f}x PipeCmd gzip -c -1 (target 5x); Compress zstd is {pz / z:.1f}x PipeCmd zstd -1 -c")
print(f"pushcap RCLONE (split + upload) takes {100 * (pr5 / rc5 - 1):+.1f}% of rclone copy's time on the 5 min input "
      f"and {100 * (pr50 / rc50 - 1):+.1f}% on the 50 s input (target < +10%)")
PY
