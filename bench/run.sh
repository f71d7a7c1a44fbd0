#!/usr/bin/env bash
# Side-by-side benchmark of pushcap against the tools a user would pick instead, in one run.
#
#   bash bench/run.sh [SIZE_BYTES]        (default 2e9; needs root to mount a tmpfs)
#
# Generates a market-data capture (tests/integration/gen_capture.py), warms it into the page
# cache, and times on a tmpfs for every tool's output (DESIGN.md: the engine, not the disk):
#   dd of the same bytes (the write limit), tcpdump -r in -w out (copy), editcap -i 60,
#   pushcap with one target and no filter, with a BPF filter, and with eight targets;
# then on the real disk: dd conv=fdatasync against pushcap's default durable mode.
# Prints Gbps of input, the ratio to tcpdump's copy and peak RSS. Not a test: nothing fails.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2e9}
bin=${PUSHCAP:-build/release/pushcap}
[[ -x $bin ]] || bash scripts/build.sh release >/dev/null
work=${BENCH_DIR:-/var/tmp/pushcap-bench}
mkdir -p "$work" "$work/tmpfs"
if ! mountpoint -q "$work/tmpfs"; then
  mount -t tmpfs -o size=12g tmpfs "$work/tmpfs"
fi
in=$work/in.pcap
if [[ ! -f $in ]] || [[ $(stat -c %s "$in") -lt $(python3 -c "print(int(float('$size')))") ]]; then
  python3 tests/integration/gen_capture.py "$in" --bytes "$size"
fi
cat "$in" > /dev/null  # into the page cache
bytes=$(stat -c %s "$in")
out=$work/tmpfs/out

declare -A secs rss
runs=${BENCH_RUNS:-3}
measure() {  # name, command...: the best of $runs runs (this machine is shared and noisy)
  local name=$1; shift
  local best="" best_rss=0 t0 t1 s
  for ((i = 0; i < runs; i++)); do
    rm -rf "$out"; mkdir -p "$out"; sync
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { echo "$name failed:"; cat "$work/err"; }
    t1=$(date +%s.%N)
    s=$(python3 -c "print($t1 - $t0)")
    if [[ -z $best ]] || python3 -c "import sys; sys.exit(0 if $s < $best else 1)"; then best=$s; fi
    r=$(tail -1 "$work/rss"); ((r > best_rss)) && best_rss=$r
  done
  secs[$name]=$best
  rss[$name]=$best_rss
}

# Warm the tmpfs: the first writer into fresh tmpfs pages pays for allocating them.
dd if="$in" of="$out.warm" bs=4M 2>/dev/null; rm -f "$out.warm"

cfg8=$work/eight.lua
cat > "$cfg8" <<LUA
local Config = { Target = {} }
local filters = { "udp and dst port 30001", "udp and dst port 30002", "udp and dst port 30003", "vlan",
                  "tcp", "net 192.168.1.0/24 and tcp", "udp and dst host 239.1.1.5", "greater 200" }
for i, f in ipairs(filters) do
  table.insert(Config.Target, { Desc = "t" .. i, Path = "$out/t" .. i .. "/", Split = "--split-time 60e9",
                                FilterBPF = f })
end
return Config
LUA

measure "dd (write limit)" dd if="$in" of="$out/dd" bs=4M
measure "tcpdump -r -w (copy)" tcpdump -r "$in" -w "$out/copy.pcap"
measure "editcap -i 60" editcap -F pcap -i 60 "$in" "$out/ec.pcap"
measure "pushcap 1 target, 60 s split" "$bin" split --split-time 60e9 -o "$out/" "$in"
cat > "$work/bpf.lua" <<LUA
return { Target = { { Desc = "bpf", Path = "$out/", Split = "--split-time 60e9", FilterBPF = "udp and dst portrange 30001-30012" } } }
LUA
measure "pushcap 1 target + BPF" "$bin" run --config "$work/bpf.lua" --log-dir "$work/log" --offline "$in"
measure "pushcap 8 targets, 8 filters" "$bin" run --config "$cfg8" --log-dir "$work/log" --offline "$in"
rm -rf "$out"

# De-encapsulation: the same traffic with every packet wrapped (VLAN, VXLAN or ERSPAN II), one
# target with Decap and a BPF filter on the inner packet. No other tool writes decapsulated
# packets; tcpdump's plain copy of the wrapped file is the baseline, and tshark (which can select
# inside tunnels, but not strip them) is timed once on its first 200 MB.
wrapped=$work/wrapped.pcap
if [[ ! -f $wrapped ]] || [[ $(stat -c %s "$wrapped") -lt $(python3 -c "print(int(float('$size')))") ]]; then
  python3 tests/integration/gen_capture.py "$wrapped" --bytes "$size" --wrap
fi
cat "$wrapped" > /dev/null
wbytes=$(stat -c %s "$wrapped")
out=$work/tmpfs/out
cat > "$work/decap.lua" <<LUA
return { Decap = true, Target = { { Desc = "decap", Path = "$out/", Split = "--split-time 60e9",
                                    FilterBPF = "udp and dst portrange 30001-30012" } } }
LUA
measure "wrapped: dd (write limit)" dd if="$wrapped" of="$out/dd" bs=4M
measure "wrapped: tcpdump -r -w (copy)" tcpdump -r "$wrapped" -w "$out/copy.pcap"
measure "wrapped: pushcap Decap + BPF" "$bin" run --config "$work/decap.lua" --log-dir "$work/log" --offline "$wrapped"
tcpdump -r "$wrapped" -w "$work/wrapped200.pcap" -c 870000 2>/dev/null  # about 200 MB, whole packets
runs_saved=$runs; runs=1
measure "wrapped 200 MB: tshark -Y inner port" tshark -r "$work/wrapped200.pcap" -w "$out/ts.pcap" \
  -Y "udp.dstport >= 30001 && udp.dstport <= 30012"
runs=$runs_saved
tshark_bytes=$(stat -c %s "$work/wrapped200.pcap")
rm -rf "$out" "$work/wrapped200.pcap"

# Durable output on the real disk, against dd with fdatasync of the same bytes.
disk=$work/disk
out=$disk
measure "dd conv=fdatasync (disk)" dd if="$in" of="$disk/dd" bs=4M conv=fdatasync
measure "pushcap durable (disk)" "$bin" split --split-time 60e9 -o "$disk/" "$in"
rm -rf "$disk"

base=${secs["tcpdump -r -w (copy)"]}
printf "\ninput: %s bytes (%s), %s cores, %s\n" "$bytes" "$in" "$(nproc)" "$(date -u +%FT%TZ)"
printf "%-34s %9s %9s %12s %12s\n" tool seconds Gbps "x tcpdump" "peak RSS MiB"
for name in "dd (write limit)" "tcpdump -r -w (copy)" "editcap -i 60" "pushcap 1 target, 60 s split" \
            "pushcap 1 target + BPF" "pushcap 8 targets, 8 filters" "dd conv=fdatasync (disk)" "pushcap durable (disk)"; do
  s=${secs[$name]}
  python3 - "$name" "$s" "$bytes" "$base" "${rss[$name]}" <<'PY'
import sys
name, s, b, base, rss = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
mib = f"{int(rss) / 1024:.0f}" if rss not in ("-", "") else "-"
print(f"{name:<34} {s:9.3f} {b * 8 / s / 1e9:9.2f} {base / s:12.2f} {mib:>12}")
PY
done

wbase=${secs["wrapped: tcpdump -r -w (copy)"]}
printf "\nwrapped input: %s bytes (%s)\n" "$wbytes" "$wrapped"
printf "%-40s %9s %9s %12s %12s\n" tool seconds Gbps "x tcpdump" "peak RSS MiB"
for name in "wrapped: dd (write limit)" "wrapped: tcpdump -r -w (copy)" "wrapped: pushcap Decap + BPF" \
            "wrapped 200 MB: tshark -Y inner port"; do
  b=$wbytes
  [[ $name == *"200 MB"* ]] && b=$tshark_bytes
  python3 - "$name" "${secs[$name]}" "$b" "$wbase" "${rss[$name]}" "$wbytes" <<'PY'
import sys
name, s, b, base, rss, wb = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
gbps = b * 8 / s / 1e9
ratio = gbps / (wb * 8 / base / 1e9)
mib = f"{int(rss) / 1024:.0f}" if rss not in ("-", "") else "-"
print(f"{name:<40} {s:9.3f} {gbps:9.2f} {ratio:12.2f} {mib:>12}")
PY
done
