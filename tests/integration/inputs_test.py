"""Inputs in any mix: a directory (its captures in name order, hidden, .pending and non-capture
files left out, the last named in the summary), a file, and stdin ("-"); formats told apart by
content (pcapng files named .pcap)."""
import os
import shutil
import subprocess

from harness import PUSHCAP, REAL, TempDirTest, capinfos, split_events


class Inputs(TempDirTest):
    def test_directory_file_and_stdin_in_order(self):
        d = self.path("dir")
        os.mkdir(d)
        shutil.copy(os.path.join(REAL, "ppp_GrePackets.pcap"), os.path.join(d, "b.pcap"))  # pcapng inside
        shutil.copy(os.path.join(REAL, "td_pptp.pcap"), os.path.join(d, "a.pcap"))
        shutil.copy(os.path.join(REAL, "jc_ok.pcap"), os.path.join(d, ".hidden.pcap"))
        shutil.copy(os.path.join(REAL, "jc_ok.pcap"), os.path.join(d, "c.pcap.pending"))
        with open(os.path.join(d, "README"), "w") as f:
            f.write("not a capture\n")
        stdin_src = os.path.join(REAL, "ppp_nanosecs_big_endian.pcap")
        file_src = os.path.join(REAL, "zk_q-in-q.pcap")
        cfg = self.write_config(f'return {{ Target = {{ {{ Desc = "all", Path = "{self.path("o")}/", '
                                f'Split = "--split-packet 1e9", FileName = "--filename-epoch-nsec" }} }} }}')
        with open(stdin_src, "rb") as f:
            p = subprocess.run([PUSHCAP, "run", "--config", cfg, "--log-dir", self.path("log"), "--offline", d, "-",
                                file_src], stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("skipped (not a pcap or pcapng file): " + os.path.join(d, "README"), p.stderr)
        want = sum(capinfos(os.path.join(REAL, n))["packets"]
                   for n in ("td_pptp.pcap", "ppp_GrePackets.pcap", "ppp_nanosecs_big_endian.pcap", "zk_q-in-q.pcap"))
        got = sum(e["Packets"] for e in split_events(self.path("log")))
        self.assertEqual(got, want)
