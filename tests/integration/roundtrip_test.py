"""Every output file is readable by tcpdump, and the packets of all splits of an unfiltered
target, in order, are the input's: byte-identical for little-endian classic pcap, and the same
in tcpdump's nanosecond hex dump for every other file tcpdump reads whole."""
import glob
import os
import unittest

from harness import REAL, TempDirTest, manifest, pcap_records, run, split_events, tcpdump_text


def dump_packets(text):
    # tcpdump prints one header line per packet then hex lines; the header has the timestamp.
    return text


class RoundTrip(TempDirTest):
    def check_file(self, name, split_flags):
        src = os.path.join(REAL, name)
        out = self.path(name + "." + split_flags[0].strip("-"))
        logs = out + ".log"
        p = run(["split"] + split_flags + ["-o", out + "/", "--log-dir", logs, src])
        self.assertIn(p.returncode, (0,), p.stderr)
        self.assertEqual([], glob.glob(out + "/*.pending"))
        names = [e["Name"] for e in split_events(logs)]
        files = sorted(glob.glob(out + "/*"))
        self.assertEqual(sorted(names), files, "every file on disk is a published split and vice versa")
        rc, want, err = tcpdump_text(src)
        got = []
        for n in names:
            rc_out, text, err_out = tcpdump_text(n)
            self.assertEqual(rc_out, 0, f"tcpdump cannot read {n}: {err_out}")
            got.append(text)
        self.assertEqual("".join(got), want, f"{name}: the splits' packets differ from the input's")
        header, recs = pcap_records(src) if not name.endswith("ng") else (None, None)
        with open(src, "rb") as f:
            magic = f.read(4)
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):  # little-endian classic pcap
            body = b"".join(b"".join(pcap_records(n)[1]) for n in names)
            with open(src, "rb") as f:
                self.assertEqual(body, f.read()[24:], f"{name}: records are not byte-identical")
            for n in names:
                with open(n, "rb") as f:
                    self.assertEqual(f.read(24), header, f"{n}: file header differs from the input's")
        return len(names)

    def test_every_capture_tcpdump_reads_whole(self):
        files = 0
        for name, row in sorted(manifest().items()):
            if row["readable"] != "yes" or row["packets_tcpdump"] in ("", "0"):
                continue
            # Files with timestamps past 2106 cannot be classic pcap; tested in split_test.
            if name in ("td_time_2107.pcapng", "td_time_2106_overflow.pcapng"):
                continue
            # Simple packet blocks have no timestamp: tcpdump shows 0, pushcap the previous packet's.
            if "none" in (row["first_ts_ns"], row["last_ts_ns"]) or "SPB" in row["exercises"]:
                continue
            for flags in (["--split-time", "1e9"], ["--split-byte", "3000"], ["--split-packet", "7"]):
                with self.subTest(file=name, split=flags[0]):
                    self.check_file(name, flags)
            files += 1
        print(f"round-tripped {files} captures three ways")
        self.assertGreater(files, 100)


if __name__ == "__main__":
    unittest.main()
