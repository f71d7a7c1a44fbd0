"""Damaged captures: the run stops at the first bad record of that capture with a message naming
file, byte offset and reason; every packet before it is pushed and finalised (as many as tcpdump
reads); the next input is still read; the run exits 1; nothing is left pending."""
import glob
import os

from harness import REAL, TempDirTest, capinfos, manifest, pending_files, run, split_events


class Damaged(TempDirTest):
    CASES = {
        "jc_bad_end.pcap": "larger than 262144",
        "jc_bad_first_header.pcap": "larger than 262144",
        "jc_partial_first_header.pcap": "record header cut short",
        "jc_unexpected_eof_on_first_packet.pcap": "record cut short",
        "jc_unexpected_eof_on_second_packet.pcap": "record cut short",
        "jc_partial_global_header.pcap": "file header cut short: 7 of 24 bytes",
        "jc_empty.pcap": "too short for a capture header",
        "lp_pcap-invalid-version-1.pcap": "unsupported pcap version 1.4",
        "lp_pcap-invalid-version-2.pcap": "unsupported pcap version 2.5",
        "lp_pcapng-invalid-vers-1.pcapng": "unsupported pcapng version 0.1",
        "lp_pcapng-invalid-vers-2.pcapng": "unsupported pcapng version 1.1",
        "lp_shb-option-too-long.pcapng": "don't match",
        "lp_linktype-reserved-field-not-zero.pcap": "reserved bits",
    }

    def test_each_damaged_capture(self):
        m = manifest()
        for name, reason in self.CASES.items():
            with self.subTest(file=name):
                out = self.path(name)
                src = os.path.join(REAL, name)
                p = run(["split", "--split-time", "1e9", "-o", out + "/", "--log-dir", out + ".log", src], check=1)
                self.assertIn(src, p.stderr)
                self.assertIn(reason, p.stderr)
                if "byte offset" not in p.stderr:
                    self.assertIn("too short", p.stderr)
                written = sum(capinfos(e["Name"])["packets"] for e in split_events(out + ".log"))
                want = int(m[name]["packets_tcpdump"] or 0)
                self.assertEqual(written, want, f"{name}: tcpdump reads {want} packets before the damage")
                self.assertEqual(pending_files(self.tmp), [])

    def test_later_inputs_are_still_pushed(self):
        bad = os.path.join(REAL, "jc_unexpected_eof_on_second_packet.pcap")
        good = os.path.join(REAL, "jc_ok.pcap")
        p = run(["split", "--split-packet", "1e6", "-o", self.path("o") + "/", bad, good], check=1)
        self.assertIn("byte offset", p.stderr)
        (f,) = glob.glob(self.path("o", "*"))
        self.assertEqual(capinfos(f)["packets"], 1 + 851)

    def test_not_a_capture(self):
        txt = self.path("notes.pcap")
        with open(txt, "w") as f:
            f.write("these are notes, not packets\n")
        p = run(["split", "--split-time", "1e9", "-o", self.path("o") + "/", txt], check=1)
        self.assertIn("not a pcap or pcapng file", p.stderr)
