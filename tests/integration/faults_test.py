"""I/O faults (docs/DESIGN.md, Durable files): a full disk and a failing fsync. In each case no torn file appears
under a final name, the failure is reported, every packet is either in a complete published
split or counted as not written, and the run exits 1."""
import glob
import os
import re
import shutil
import subprocess
import unittest

from harness import PUSHCAP, TempDirTest, capinfos, generate, pending_files, run, split_events


def summary_counts(stderr):
    m = re.search(r"(\d+) files, (\d+) packets, \d+ bytes written; (\d+) filtered out; (\d+) not written", stderr)
    return tuple(int(x) for x in m.groups())


class Faults(TempDirTest):
    def check_published(self, log_dir):
        total = 0
        for e in split_events(log_dir):
            self.assertEqual(capinfos(e["Name"])["packets"], e["Packets"], e["Name"])
            self.assertEqual(os.path.getsize(e["Name"]), e["FileBytes"])
            total += e["Packets"]
        return total

    @unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
    def test_full_disk(self):
        src = self.path("in.pcap")
        generate(src, "--packets", "20000")
        full = self.path("full")
        os.mkdir(full)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full], check=True)
        try:
            p = run(["split", "--split-byte", "300000", "-o", full + "/", "--log-dir", self.path("log"), src], check=1)
            self.assertIn("No space left on device", p.stderr)
            files, written, _, not_written = summary_counts(p.stderr)
            self.assertEqual(written + not_written, 20000)
            self.assertGreater(not_written, 0)
            self.assertEqual(self.check_published(self.path("log")), written)
            self.assertEqual(pending_files(full), [])
        finally:
            subprocess.run(["umount", full], check=False)

    def run_with_fsync_failing(self, when):
        """pushcap split into an existing directory with the `when`-th fsync failing with EIO.
        Without directory creation the fsyncs go: split 1 file, its directory, split 2 file, ..."""
        src = self.path("in.pcap")
        generate(src, "--packets", "20000")
        out = self.path("o")
        os.mkdir(out)
        cmd = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", f"inject=fsync:error=EIO:when={when}",
               PUSHCAP, "split", "--split-packet", "2000", "-o", out + "/", "--log-dir", self.path("log"), src]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("fsync: Input/output error", p.stderr)
        files, written, _, not_written = summary_counts(p.stderr)
        self.assertEqual(written + not_written, 20000)
        self.assertEqual(self.check_published(self.path("log")), written)
        self.assertEqual(len(glob.glob(out + "/*.pcap")), files)
        self.assertEqual(pending_files(out), [])
        return out, p.stderr, written

    @unittest.skipUnless(shutil.which("strace"), "strace injects the fault")
    def test_failed_file_fsync_is_never_trusted(self):
        out, err, written = self.run_with_fsync_failing(3)  # the second split's file
        # That split is kept as .failed and its packets counted; splits already handed to the
        # closer whose own fsync succeeds are durable and published (Linux reports write-back
        # errors per file).
        (failed,) = glob.glob(out + "/*.failed")
        self.assertEqual(capinfos(failed)["packets"], 20000 - written)
        self.assertEqual(20000 - written, 2000)

    @unittest.skipUnless(shutil.which("strace"), "strace injects the fault")
    def test_failed_directory_fsync_keeps_the_complete_file_and_stops(self):
        out, err, written = self.run_with_fsync_failing(2)  # the directory, after the first rename
        self.assertIn("is complete, but its directory entry may not be durable", err)
        self.assertEqual(written, 20000, "every split is complete under its final name")
        self.assertEqual(glob.glob(out + "/*.failed"), [], "the complete file is not renamed away")

if __name__ == "__main__":
    unittest.main()
