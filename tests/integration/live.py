"""Helpers for the live tests: a network namespace with a veth pair the test makes and removes
itself and removes even when a test fails, tcpreplay into one end, pushcap capture on the other, and readers of a
capture store that use tcpdump as the oracle."""
import glob
import json
import os
import random
import signal
import struct
import subprocess
import time

from harness import PUSHCAP, spawn

PREFIXES = ("pcrt", "pcsv", "pcfw")  # the live tests' namespaces: prefix + the test process's pid


def remove_stale_namespaces():
    """Namespaces an earlier test run left behind (its process was killed before its cleanup)."""
    p = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        for prefix in PREFIXES:
            pid = name[len(prefix):]
            if name.startswith(prefix) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)


class NetNs:
    """`ip netns` NAME with veth va <-> vb, both up, IPv6 off (no stray router solicitations)."""

    def __init__(self, name):
        self.name = name
        remove_stale_namespaces()
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "add", name], check=True)
        try:
            self.run(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
            self.run(["ip", "link", "add", "va", "type", "veth", "peer", "name", "vb"])
            for dev in ("lo", "va", "vb"):
                self.run(["ip", "link", "set", dev, "up"])
        except BaseException:
            self.close()
            raise

    def cmd(self, args):
        # nsenter enters only the network namespace; `ip netns exec` (and `ip -n`) also remount
        # /sys, which fails where / is not a mount point (a chroot such as a fresh Debian root).
        return ["nsenter", f"--net=/run/netns/{self.name}"] + list(args)

    def run(self, args, **kw):
        kw.setdefault("check", True)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.run(self.cmd(args), text=True, **kw)

    def popen(self, args, **kw):
        return spawn(self.cmd(args), text=True, **kw)

    def replay(self, pcap, *opts):
        """tcpreplay into va; returns the number of packets it says it sent."""
        p = self.run(["tcpreplay", "-i", "va"] + list(opts) + [pcap])
        for line in p.stdout.splitlines():
            if "Successful packets:" in line:
                return int(line.split()[-1])
        raise AssertionError("tcpreplay printed no count:\n" + p.stdout + p.stderr)

    def close(self):
        """Kills what still runs in the namespace, then removes it."""
        p = subprocess.run(["ip", "netns", "pids", self.name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        for pid in p.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)


def start_capture(ns, store, *extra, log=None):
    """pushcap capture on vb in the namespace; waits until its new stream exists."""
    before = len(glob.glob(os.path.join(store, "feed_*", "watermark")))
    args = [PUSHCAP, "capture", "--store", store, "--iface", "vb", "--name", "feed"] + list(extra)
    if log:
        with open(log, "w") as err:
            p = ns.popen(args, stdout=subprocess.DEVNULL, stderr=err)
    else:
        p = ns.popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: len(glob.glob(os.path.join(store, "feed_*", "watermark"))) > before, 10, "the capture's stream")
    return p


def stop(p, sig=signal.SIGTERM, timeout=30):
    p.send_signal(sig)
    return p.wait(timeout=timeout)


def kill_at_progress(out, start, kills, seed, jitter):
    """SIGKILLs the push `start()` starts, `kills` times, each at a point of progress: once the run
    has opened or published a split of its own in `out` (a new name appears), then a random moment
    of up to `jitter` s later; restarts it each time. Returns the running push and, per kill, how
    many splits had been published."""
    rng = random.Random(seed)
    p = start()
    at = []
    while len(at) < kills:
        names = set(os.listdir(out)) if os.path.isdir(out) else set()
        wait_for(lambda: os.path.isdir(out) and set(os.listdir(out)) - names, 120, "the restarted push to make progress")
        time.sleep(rng.uniform(0, jitter))
        p.kill()
        p.wait()
        at.append(len(glob.glob(out + "/*.pcap")))
        p = start()
    return p, at


def wait_for(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def streams(store):
    return sorted(d for d in glob.glob(os.path.join(store, "feed_*")) if os.path.isdir(d))


def segments(stream_dir, complete_only=True):
    segs = sorted(glob.glob(os.path.join(stream_dir, "seg_*.pcap")))
    if not complete_only:
        segs += sorted(glob.glob(os.path.join(stream_dir, ".seg_*.pcap.part")))
    return segs


def watermark(stream_dir):
    """The newest valid slot of a watermark file, as a dict."""
    with open(os.path.join(stream_dir, "watermark"), "rb") as f:
        data = f.read()
    best = None
    for s in range(2):
        slot = data[s * 128:(s + 1) * 128]
        if len(slot) < 128:
            continue
        magic, version, *fields = struct.unpack("<II12Q", slot[:104])
        import zlib
        if magic != 0x4D575350 or struct.unpack("<I", slot[124:128])[0] != zlib.crc32(slot[:124]):
            continue
        names = ["seq", "ts", "segment", "segment_bytes", "packets", "bytes", "kernel_drops", "if_drops",
                 "overflow_drops", "late", "wall", "ended"]
        w = dict(zip(names, fields))
        if best is None or w["seq"] > best["seq"]:
            best = w
    return best


def tcpdump_lines(path, flt=""):
    """tcpdump's packet lines (time and hex) of one file: an independent reading of its records."""
    args = ["tcpdump", "-n", "-r", path, "-tt", "--time-stamp-precision=nano", "-x"] + ([flt] if flt else [])
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise AssertionError(f"tcpdump cannot read {path}: {p.stderr}")
    packets, cur = [], None
    for line in p.stdout.splitlines():
        if line.startswith("\t"):
            cur.append(line.split(":", 1)[1].replace(" ", ""))
        else:
            cur = [line.split(" ", 1)[0]]
            packets.append(cur)
    return [(c[0], "".join(c[1:])) for c in packets]


def payload_ids(path, flt=""):
    """The numbers udp_frame() put in each packet of a file, in file order (tcpdump reads them)."""
    ids = []
    for _, hexdata in tcpdump_lines(path, flt):
        data = bytes.fromhex(hexdata)
        ids.append(struct.unpack("!I", data[28:32])[0])  # IPv4 + UDP headers, then the number
    return ids


def stream_meta(stream_dir):
    with open(os.path.join(stream_dir, "stream.json")) as f:
        return json.load(f)
