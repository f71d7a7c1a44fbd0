"""Split semantics (USER_GUIDE.md, Splits): time splits against editcap -i, epoch-aligned boundaries with
start <= ts < end, no empty files, byte and packet limits, a second link type in its own file,
timestamps classic pcap cannot hold, and the output keeping the input's format."""
import glob
import os
import struct
import subprocess
import unittest

from harness import (REAL, manifest, TempDirTest, capinfos, generate, pcap_records, run, split_events, tcpdump_count,
                     udp_frame, write_pcap)

S = 1_000_000_000
T0 = 1_700_000_040 * S  # a whole minute


class TimeSplit(TempDirTest):
    def test_same_files_as_editcap_when_the_first_packet_is_on_a_boundary(self):
        src = self.path("in.pcap")
        generate(src, "--packets", "20000", "--start", str(T0), "--gap-ns", "2000000", "--nano")
        ec = self.path("ec")
        os.mkdir(ec)
        subprocess.run(["editcap", "-F", "nsecpcap", "-i", "10", src, os.path.join(ec, "x.pcap")], check=True)
        theirs = sorted(glob.glob(ec + "/*"))
        p = run(["split", "--split-time", "10e9", "-o", self.path("ours") + "/", "--log-dir", self.path("log"), src])
        self.assertEqual(p.returncode, 0, p.stderr)
        ours = [e["Name"] for e in split_events(self.path("log"))]
        self.assertEqual(len(ours), len(theirs))
        self.assertGreaterEqual(len(ours), 4)
        for a, b in zip(ours, theirs):
            self.assertEqual(pcap_records(a)[1], pcap_records(b)[1], f"{a} and editcap's {b} differ")
            self.assertEqual(pcap_records(a)[0], pcap_records(src)[0], "nanosecond input gives nanosecond output")

    def test_boundaries_on_the_epoch_packet_on_boundary_starts_new_split_and_gaps_make_no_files(self):
        ts = [T0 - 1, T0, T0 + 1, T0 + 59 * S + 999_999_999, T0 + 60 * S, T0 + 300 * S + 5]
        src = self.path("in.pcap")
        write_pcap(src, [(t, udp_frame(i)) for i, t in enumerate(ts)], nano=True)
        p = run(["split", "--split-time", "60e9", "--filename-epoch-nsec", "-o", self.path("o") + "/",
                 "--log-dir", self.path("log"), src], check=0)
        ev = split_events(self.path("log"))
        self.assertEqual([(e["StartTS"], e["EndTS"], e["Packets"]) for e in ev],
                         [(T0 - 60 * S, T0, 1), (T0, T0 + 60 * S, 3), (T0 + 60 * S, T0 + 120 * S, 1),
                          (T0 + 300 * S, T0 + 360 * S, 1)])
        # Named after the aligned start; checked with capinfos (an independent reader).
        for e in ev:
            self.assertEqual(os.path.basename(e["Name"]), f"{e['StartTS']}.pcap")
            self.assertEqual(capinfos(e["Name"])["packets"], e["Packets"])
        self.assertEqual(len(os.listdir(self.path("o"))), 4, "no empty files for empty periods")

    def test_timestamps_going_back_stay_in_the_open_split_unless_more_than_a_period(self):
        ts = [T0 + 10 * S, T0 + 5 * S, T0 + 20 * S, T0 - 200 * S, T0 + 30 * S]
        src = self.path("in.pcap")
        write_pcap(src, [(t, udp_frame(i)) for i, t in enumerate(ts)], nano=True)
        p = run(["split", "--split-time", "60e9", "--filename-epoch-sec", "-o", self.path("o") + "/",
                 "--log-dir", self.path("log"), src], check=0)
        self.assertIn("jumped back", p.stderr)
        ev = split_events(self.path("log"))
        self.assertEqual([e["Packets"] for e in ev], [3, 1, 1])
        total = sum(tcpdump_count(e["Name"]) for e in ev)
        self.assertEqual(total, 5)


class SizeSplit(TempDirTest):
    def test_byte_limit_counts_headers_and_closes_before_the_packet_that_would_pass_it(self):
        src = self.path("in.pcap")
        generate(src, "--packets", "3000")
        limit = 20000
        p = run(["split", "--split-byte", str(limit), "-o", self.path("o") + "/", "--log-dir", self.path("log"), src],
                check=0)
        names = [e["Name"] for e in split_events(self.path("log"))]
        self.assertGreater(len(names), 10)
        for i, n in enumerate(names):
            size = os.path.getsize(n)
            self.assertLessEqual(size, limit, n)
            if i + 1 < len(names):
                nxt = pcap_records(names[i + 1])[1][0]
                self.assertGreater(size + len(nxt), limit, f"{n} was closed before it had to be")
        self.assertEqual(sum(capinfos(n)["packets"] for n in names), 3000)

    def test_a_packet_larger_than_the_limit_gets_a_file_of_its_own(self):
        src = self.path("in.pcap")
        write_pcap(src, [(T0 + i, udp_frame(i, 100 if i != 2 else 1400)) for i in range(5)])
        run(["split", "--split-byte", "300", "--filename-epoch-nsec", "-o", self.path("o") + "/", "--log-dir",
             self.path("log"), src], check=0)
        self.assertEqual([e["Packets"] for e in split_events(self.path("log"))], [2, 1, 2])

    def test_packet_count(self):
        src = self.path("in.pcap")
        generate(src, "--packets", "1005")
        run(["split", "--split-packet", "100", "-o", self.path("o") + "/", "--log-dir", self.path("log"), src], check=0)
        counts = [capinfos(e["Name"])["packets"] for e in split_events(self.path("log"))]
        self.assertEqual(counts, [100] * 10 + [5])


class Formats(TempDirTest):
    def test_second_link_type_goes_to_a_file_of_its_own(self):
        # 11 interfaces: Ethernet, BSD loopback and raw IP; one output stream per link type.
        src = os.path.join(REAL, "ppp_many_interfaces-1.pcapng")
        p = run(["split", "--split-time", "3600e9", "-o", self.path("o") + "/", "--log-dir", self.path("log"), src])
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [e["Name"] for e in split_events(self.path("log"))]
        tagged = [n for n in names if "_dlt" in n]
        self.assertTrue(tagged, names)
        written = sum(capinfos(n)["packets"] for n in names)
        # tshark reads the whole file (tcpdump stops at the second interface): MANIFEST's count.
        self.assertEqual(written, int(manifest()["ppp_many_interfaces-1.pcapng"]["packets_tshark"]))
        # tshark: 62 packets on Ethernet interface 0, 2 on interface 10 (BSD loopback).
        self.assertEqual([os.path.basename(n).split("_dlt")[1] for n in tagged], ["0_us.pcap"])
        self.assertEqual(sum(capinfos(n)["packets"] for n in tagged), 2)
        for n in names:
            self.assertEqual(subprocess.run(["tcpdump", "-n", "-r", n], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL).returncode, 0)

    def test_microsecond_input_stays_microsecond_and_big_endian_becomes_little(self):
        for name, magic in (("td_pptp.pcap", 0xA1B2C3D4), ("ppp_nanosecs_big_endian.pcap", 0xA1B23C4D)):
            out = self.path(name)
            run(["split", "--split-packet", "1000000", "-o", out + "/", os.path.join(REAL, name)], check=0)
            (f,) = glob.glob(out + "/*")
            with open(f, "rb") as fh:
                self.assertEqual(struct.unpack("<I", fh.read(4))[0], magic, name)

    def test_timestamps_past_2106_are_counted_not_silently_dropped(self):
        src = os.path.join(REAL, "td_time_2107.pcapng")
        p = run(["split", "--split-time", "60e9", "-o", self.path("o") + "/", src], check=0)
        self.assertIn("not written: timestamp not representable in classic pcap", p.stderr)


if __name__ == "__main__":
    unittest.main()
