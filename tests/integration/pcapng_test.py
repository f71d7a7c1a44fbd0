"""pcapng input against tshark, which reads every block type whole (tcpdump 4.99 stops at a
second link type or snap length): sections in either byte order, many interfaces with their
own link types, if_tsresol and if_tsoffset, simple packet blocks, custom and statistics blocks.
Every packet tshark sees is in pushcap's output with the same timestamp (to the ns, after the
output resolution), wire length and captured length, or is counted as not representable."""
import collections
import decimal
import glob
import os
import subprocess

from harness import REAL, TempDirTest, manifest, run, split_events

LIMIT_NS = (1 << 32) * 1_000_000_000  # classic pcap's 32-bit seconds


def tshark_packets(path):
    p = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=;", "-e", "frame.protocols",
                        "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    for line in p.stdout.splitlines():
        protocols, epoch, length, caplen = line.split(";")
        if protocols == "data" and not epoch:
            continue
        ns = int(decimal.Decimal(epoch) * 1_000_000_000) if epoch else None
        out.append((ns, int(length), int(caplen), protocols))
    return out


class Pcapng(TempDirTest):
    def test_every_pcapng_file_against_tshark(self):
        m = manifest()
        checked = 0
        for name, row in sorted(m.items()):
            with open(os.path.join(REAL, name), "rb") as f:
                if f.read(4) != b"\x0a\x0d\x0d\x0a" or row["readable"] == "no":
                    continue
            with self.subTest(file=name):
                src = os.path.join(REAL, name)
                out = self.path(name)
                p = run(["split", "--split-packet", "1e9", "-o", out + "/", "--log-dir", out + ".log", src])
                self.assertEqual(p.returncode, 0, p.stderr)
                # Custom blocks show in tshark as frames of protocol "data"; MANIFEST counts only packets.
                want = [x for x in tshark_packets(src) if x[3] != "data"]
                self.assertEqual(len(want), int(m[name]["packets_tshark"] or 0))
                got = []
                for e in split_events(out + ".log"):
                    got += tshark_packets(e["Name"])
                has_spb = any(x[0] is None for x in want)
                unrepresentable = [x for x in want if x[0] is not None and x[0] >= LIMIT_NS]
                want = [x for x in want if x[0] is None or x[0] < LIMIT_NS]
                if unrepresentable:
                    self.assertIn(f"{len(unrepresentable)} not written: timestamp not representable", p.stderr)
                key = (lambda x: (x[1], x[2])) if has_spb else (lambda x: (x[0], x[1], x[2]))
                self.assertEqual(collections.Counter(map(key, got)), collections.Counter(map(key, want)))
                checked += 1
        print(f"checked {checked} pcapng files against tshark")
        self.assertGreaterEqual(checked, 25)
