#!/usr/bin/env bash
# Benchmark of the realtime parts (issue #6), each side by side with what a user would pick
# instead, in one run. Needs root (network namespace, tmpfs). Not a test: nothing fails.
#
#   bash bench/realtime.sh
#
#  1. Live capture: tcpreplay --topspeed into a veth pair; tcpdump -w and pushcap capture take
#     turns on the other end with the same traffic. Packets sent and stored, drops, CPU per packet.
#  2. Store write: pushcap import of a 2 GB capture into a store on the disk against dd of the
#     same bytes into the same folder (both fsync what they wrote).
#  3. Follow rate: pushcap reading that 2 GB store (run --store --offline STREAM) against the
#     offline engine reading the capture file, same config, outputs on a tmpfs.
#  4. Publish latency of 1 s splits: a live capture and a realtime push; for each split, the
#     time from its end to its final name (PublishedNS - EndTS), 50th and 99th percentile.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${PUSHCAP:-build/release/pushcap}")
[[ -x $bin ]] || bash scripts/build.sh release >/dev/null
work=${BENCH_DIR:-/var/tmp/pushcap-bench}
mkdir -p "$work" "$work/tmpfs"
mountpoint -q "$work/tmpfs" || mount -t tmpfs -o size=12g tmpfs "$work/tmpfs"
ns=pcbench$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT

ns_setup() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link add va type veth peer name vb
  for d in lo va vb; do ip -n "$ns" link set "$d" up; done
}
cpu_seconds() {  # pid: user+system CPU seconds so far
  awk '{print ($14 + $15) / 100}' "/proc/$1/stat"
}

echo "== 1. live capture into a veth: tcpdump -w against pushcap capture (same traffic)"
small=$work/small.pcap
[[ -f $small ]] || python3 - "$small" <<'PY'
import struct, sys
sys.path.insert(0, "tests/integration")
from harness import write_pcap, udp_frame
write_pcap(sys.argv[1], [(1_700_000_000_000_000_000 + i * 1000, udp_frame(i, 128)) for i in range(200000)])
PY
loops=${BENCH_LOOPS:-20}
ns_setup
capdir=$work/capture
for tool in tcpdump pushcap tcpdump pushcap; do
  rm -rf "$capdir"; mkdir -p "$capdir"
  if [[ $tool == tcpdump ]]; then
    ip netns exec "$ns" tcpdump -Z root -i vb -B 262144 -w "$capdir/t.pcap" 2>"$work/rx.err" & rx=$!
  else
    ip netns exec "$ns" "$bin" capture --store "$capdir" --iface vb --name bench 2>"$work/rx.err" & rx=$!
  fi
  sleep 1.5
  c0=$(cpu_seconds $rx)
  out=$(ip netns exec "$ns" tcpreplay -i va --topspeed -K -l "$loops" "$small" 2>&1)
  sleep 1.5
  c1=$(cpu_seconds $rx)
  kill -INT $rx; wait $rx 2>/dev/null || true
  sent=$(grep -oP 'Successful packets:\s+\K\d+' <<<"$out")
  pps=$(grep -oP 'Rated: [\d.]+ Bps, [\d.]+ Mbps, \K[\d.]+(?= pps)' <<<"$out")
  if [[ $tool == tcpdump ]]; then
    stored=$(tcpdump -r "$capdir/t.pcap" 2>/dev/null | wc -l)
    drops=$(grep -oP '\d+(?= packets dropped by kernel)' "$work/rx.err" || echo "?")
  else
    stored=0
    for s in "$capdir"/*/seg_*.pcap; do stored=$((stored + $(tcpdump -r "$s" 2>/dev/null | wc -l))); done
    drops=$(grep -oP 'dropped: kernel \K\d+' "$work/rx.err" || echo "?")
  fi
  python3 -c "
sent, stored, cpu = $sent, $stored, $c1 - $c0
print(f'  {\"$tool\":8} sent {sent} at {float(\"$pps\")/1e3:.0f} kpps, stored {stored} ({sent - stored} missing, kernel drops $drops), '
      f'CPU {cpu:.2f} s = {cpu / max(stored, 1) * 1e9:.0f} ns per packet')"
done
cleanup

echo "== 2. store write: pushcap import of 2 GB against dd of the same bytes, both into $work/disk"
in=$work/in.pcap
if [[ ! -f $in ]] || (( $(stat -c %s "$in") < 2000000000 )); then
  python3 tests/integration/gen_capture.py "$in" --bytes 2e9
fi
cat "$in" >/dev/null
bytes=$(stat -c %s "$in")
for i in $(seq "${BENCH_WRITE_RUNS:-3}"); do
  rm -rf "$work/disk"; mkdir -p "$work/disk"; sync
  t0=$(date +%s.%N); dd if="$in" of="$work/disk/dd.bin" bs=4M conv=fsync status=none; t1=$(date +%s.%N)
  rm -f "$work/disk/dd.bin"; sync
  t2=$(date +%s.%N); "$bin" import --store "$work/disk/store" --name bench "$in" 2>/dev/null; t3=$(date +%s.%N)
  python3 -c "
b = $bytes * 8 / 1e9
dd, pc = $t1 - $t0, $t3 - $t2
print(f'  run $i: dd conv=fsync {b / dd:.2f} Gbps, pushcap import (segments fsynced, indexed, renamed) {b / pc:.2f} Gbps: {dd / pc:.2f}x dd')"
done

echo "== 3. follow rate: the 2 GB store against the offline engine on the capture file"
echo "   (both read from the same disk's page cache; outputs on tmpfs; alternating runs)"
stream=$(ls "$work/disk/store" | grep '^bench_' | tail -1)
cat "$work/disk/store/$stream"/*.pcap "$in" >/dev/null
cfg=$work/follow.lua
cat > "$cfg" <<LUA
local Config = { Target = {} }
table.insert(Config.Target, { Desc = "all", Path = "$work/tmpfs/fo/", Split = "--split-time 60e9" })
return Config
LUA
store_t=() file_t=()
for i in $(seq "${BENCH_FOLLOW_RUNS:-9}"); do
  rm -rf "$work/tmpfs/fo"; t0=$(date +%s.%N)
  "$bin" run --config "$cfg" --store "$work/disk/store" --offline "$stream" --log-dir "$work/fo-log" 2>/dev/null
  t1=$(date +%s.%N); rm -rf "$work/tmpfs/fo"; t2=$(date +%s.%N)
  "$bin" run --config "$cfg" --offline "$in" --log-dir "$work/fo-log" 2>/dev/null
  t3=$(date +%s.%N)
  store_t+=("$(python3 -c "print($t1 - $t0)")") file_t+=("$(python3 -c "print($t3 - $t2)")")
done
python3 - "$bytes" "${store_t[*]}" "${file_t[*]}" <<'PY'
import statistics, sys
b = int(sys.argv[1]) * 8 / 1e9
s = [float(x) for x in sys.argv[2].split()]
f = [float(x) for x in sys.argv[3].split()]
print(f"  from the store: best {b / min(s):.2f} Gbps, median {b / statistics.median(s):.2f}; "
      f"offline engine on the file: best {b / min(f):.2f}, median {b / statistics.median(f):.2f}; "
      f"store / file: best {min(f) / min(s):.2f}x, median {statistics.median(f) / statistics.median(s):.2f}x ({len(s)} runs each)")
PY
rm -rf "$work/tmpfs/fo"

echo "== 4. publish latency of 1 s splits (live capture, realtime push, traffic for ${BENCH_LATENCY_SECONDS:-30} s)"
ns_setup
lat=$work/latency
rm -rf "$lat"; mkdir -p "$lat"
cat > "$lat/push.lua" <<LUA
local Config = { Target = {} }
table.insert(Config.Target, { Desc = "one", Path = "$lat/out/", Split = "--split-time 1e9", FileName = "--filename-epoch-sec" })
return Config
LUA
ip netns exec "$ns" "$bin" capture --store "$lat/store" --iface vb --name lat 2>/dev/null & cap=$!
sleep 1
"$bin" run --config "$lat/push.lua" --store "$lat/store" --state-dir "$lat/state" --log-dir "$lat/log" 2>/dev/null & run=$!
sleep 1
secs=${BENCH_LATENCY_SECONDS:-30}
ip netns exec "$ns" tcpreplay -q -i va --pps 20000 --duration "$secs" -l 0 "$small" >/dev/null 2>&1 || true
sleep 2.5
kill -TERM $run; wait $run || true
kill -TERM $cap; wait $cap || true
python3 - "$lat/log/pushcap.cur" <<'PY'
import json, sys
events = [json.loads(l.split("|", 1)[1]) for l in open(sys.argv[1]) if '"subsystem":"split"' in l]
# The first split started mid-second and the last was cut by SIGTERM: not whole seconds.
lat = sorted((e["PublishedNS"] - e["EndTS"]) / 1e6 for e in events[1:-1])
if lat:
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"  {len(lat)} splits: end of split to final name p50 {p(0.5):.0f} ms, p99 {p(0.99):.0f} ms, max {lat[-1]:.0f} ms")
PY
