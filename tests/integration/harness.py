"""Shared helpers for the integration tests: run the built pushcap, read oracles, make captures.

The oracles are independent tools (tcpdump, tshark, capinfos, editcap) and the corpus tables
made by them (tests/data/real/*.tsv); pushcap's own output is never its own reference.
"""
import csv
import glob
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

PUSHCAP = os.environ.get("PUSHCAP", os.path.join(os.path.dirname(__file__), "../../build/ci/pushcap"))
DATA = os.environ.get("PUSHCAP_DATA", os.path.join(os.path.dirname(__file__), "../data"))
REAL = os.path.join(DATA, "real")
HERE = os.path.dirname(os.path.abspath(__file__))


def run(args, check=None, **kw):
    """Runs pushcap with args; returns CompletedProcess (text)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("timeout", 300)
    p = subprocess.run([PUSHCAP] + list(args), text=True, **kw)
    if check is not None and p.returncode != check:
        raise AssertionError(f"pushcap {' '.join(args)} exited {p.returncode}, wanted {check}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def tsv(name):
    with open(os.path.join(REAL, name), newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def manifest():
    return {row["file"]: row for row in tsv("MANIFEST.tsv")}


def tcpdump_text(path, extra=()):
    """tcpdump's view of every packet: nanosecond time, hex of the bytes."""
    p = subprocess.run(["tcpdump", "-n", "-r", path, "-tt", "--time-stamp-precision=nano", "-xx", "-S"] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def tcpdump_count(path, flt=""):
    p = subprocess.run(["tcpdump", "-n", "-r", path, "--count"] + ([flt] if flt else []), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise AssertionError(f"tcpdump could not read {path}: {p.stderr}")
    return int(p.stdout.split()[0])


def capinfos(path):
    """capinfos -T machine-readable: dict of its columns."""
    p = subprocess.run(["capinfos", "-T", "-m", "-r", "-c", "-a", "-e", "-S", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise AssertionError(f"capinfos {path}: {p.stderr}")
    fields = next(csv.reader([p.stdout.strip()]))
    return {"file": fields[0], "packets": int(fields[1]), "first": fields[2], "last": fields[3]}


def log_json(log_dir, subsystem):
    """The JSON lines of one subsystem ("split", "status", ...) in a run's main log, in order."""
    with open(os.path.join(log_dir, "pushcap.cur")) as f:
        lines = [json.loads(line.split("|", 1)[1]) for line in f if "|{" in line]
    return [j for j in lines if j.get("subsystem") == subsystem]


def split_events(log_dir):
    """The split events of a run, in publication order."""
    return log_json(log_dir, "split")


def final_status(log_dir):
    """The last status line of each target: {desc: status}."""
    return {j["Process"]: j for j in log_json(log_dir, "status")}


def pending_files(root):
    return [p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True) if ".pending" in p]


def pcap_records(path):
    """(header fields, [record bytes]) of a classic pcap file, read with struct (for byte checks)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    recs = []
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        recs.append(data[pos:pos + 16 + caplen])
        pos += 16 + caplen
    return data[:24], recs


def write_pcap(path, packets, nano=False, linktype=1, snaplen=65535):
    """Writes a classic little-endian pcap; packets are (ts_ns, bytes)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for ts, data in packets:
            sub = ts % 1_000_000_000 if nano else ts % 1_000_000_000 // 1000
            f.write(struct.pack("<IIII", ts // 1_000_000_000, sub, len(data), len(data)) + data)


def udp_frame(n, size=80):
    """A small Ethernet/IPv4/UDP frame whose payload carries n."""
    eth = bytes.fromhex("01005e010101001b213a4b010800")
    payload = struct.pack("!I", n) + bytes(max(0, size - 14 - 28 - 4))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                     bytes([239, 1, 1, 1]))
    udp = struct.pack("!HHHH", 40000, 30001, 8 + len(payload), 0)
    return eth + ip + udp + payload


def generate(path, *args):
    subprocess.run(["python3", os.path.join(HERE, "gen_capture.py"), path] + list(args), check=True,
                   stderr=subprocess.DEVNULL)


_spawned = []  # every process a test started with spawn(), killed at the end of its test


def spawn(args, **kw):
    """subprocess.Popen that the test's cleanup kills if it is still running (a failed test
    leaves no push, capture or writer behind)."""
    p = subprocess.Popen(args, **kw)
    _spawned.append(p)
    return p


def kill_spawned():
    while _spawned:
        p = _spawned.pop()
        if p.poll() is None:
            p.kill()
            p.wait()


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary directory in self.tmp; the processes it spawned are
    killed and the directory removed when it ends, passed or failed (cleanups run even when
    setUp fails part way)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pushcap-it-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.addCleanup(kill_spawned)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write_config(self, text, name="push.lua"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p
