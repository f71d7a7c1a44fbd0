"""PipeCmd, built-in compression, close and Post scripts, as a user sees them: output readable by
gunzip/zstd/lz4 and tcpdump/tshark; a PipeCmd that fails keeps the raw split under a name that
says so (never a truncated final file); a Post script that fails, hangs or prints a lot is
logged, counted, and never stops the push; the close script's ten arguments match tcpdump's
view of the file."""
import os
import subprocess

from harness import REAL, TempDirTest, run, tcpdump_count, tcpdump_text

CAPTURE = os.path.join(REAL, "jc_ok.pcap")  # 851 packets over 12 seconds


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


class Scripts(TempDirTest):
    def split(self, *flags, check=0):
        out = self.path("out") + "/"
        return run(["split", "--split-time", "1e9", "-o", out, "--log-dir", self.path("log"), "--no-progress", *flags,
                    CAPTURE], check=check), out

    def test_compression_is_readable_by_the_standard_tools(self):
        _, plain = self.split()
        want = {n: read(plain + n, "rb") for n in os.listdir(plain) if n.endswith(".pcap")}
        self.assertEqual(len(want), 12)
        for codec, suffix, tool in (("gzip", ".gz", ["gzip", "-dc"]), ("gzip:9", ".gz", ["gzip", "-dc"]),
                                    ("zstd", ".zst", ["zstd", "-dc"]), ("zstd:9", ".zst", ["zstd", "-dc"]),
                                    ("lz4", ".lz4", ["lz4", "-dc"]), ("lz4:9", ".lz4", ["lz4", "-dc"])):
            out = self.path(codec.replace(":", "_")) + "/"
            run(["split", "--split-time", "1e9", "-o", out, "--compress", codec, "--no-progress", CAPTURE], check=0)
            got = sorted(os.listdir(out))
            self.assertEqual(got, sorted(n + suffix for n in want), codec)
            for n in want:
                data = subprocess.run(tool + [out + n + suffix], capture_output=True, check=True).stdout
                self.assertEqual(data, want[n], f"{codec} {n}")
        # tshark reads gzip files directly.
        first = sorted(want)[0]
        p = subprocess.run(["tshark", "-r", self.path("gzip") + "/" + first + ".gz", "-T", "fields", "-e",
                            "frame.number"], capture_output=True, text=True, check=True)
        self.assertEqual(len(p.stdout.split()), tcpdump_count(plain + first))

    def test_pipe_cmd_streams_every_split(self):
        self.split("--pipe-cmd", "gzip -c -1", "--filename-suffix", ".pcap.gz")
        out = self.path("out") + "/"
        total = 0
        for n in os.listdir(out):
            self.assertTrue(n.endswith(".pcap.gz"), n)
            f = self.path("x.pcap")
            with open(f, "wb") as w:
                w.write(subprocess.run(["gzip", "-dc", out + n], capture_output=True, check=True).stdout)
            total += tcpdump_count(f)
        self.assertEqual(total, 851)

    def test_failing_pipe_cmd_keeps_the_raw_split(self):
        _, plain = self.split()
        want = {n: read(plain + n, "rb") for n in os.listdir(plain)}
        import shutil
        shutil.rmtree(plain)
        # A command that dies after part of its input, one that exits non-zero, one that never starts.
        for cmd in ("head -c 100 | gzip -c", "gzip -c; exit 3", "/no/such/command"):
            p, out = self.split("--pipe-cmd", cmd, "--filename-suffix", ".pcap.gz", check=1)
            names = sorted(os.listdir(out))
            self.assertEqual(names, sorted(n + ".gz.pipecmd-failed.pcap" for n in want), cmd)
            for n in want:
                self.assertEqual(read(out + n + ".gz.pipecmd-failed.pcap", "rb"), want[n], "the raw split, whole")
            self.assertIn("PipeCmd", p.stderr)
            self.assertIn("12 splits FAILED in their PipeCmd (kept raw)", p.stderr)
            self.assertIn("851 not written: its split's PipeCmd failed", p.stderr)
            shutil.rmtree(out)

    def test_post_scripts_that_fail_hang_or_print_a_lot_never_stop_the_push(self):
        script = self.path("post.sh")
        with open(script, "w") as f:
            f.write('#!/bin/sh\ncase "$1" in\n'
                    '  *_141138.pcap) echo failing; exit 4 ;;\n'
                    '  *_141139.pcap) sleep 600 ;;\n'
                    '  *_141140.pcap) head -c 3000000 /dev/zero | tr "\\0" "x" | fold -w 100 ;;\n'
                    '  *) echo "ok $1 $PUSHCAP_PACKETS" ;;\nesac\n')
        os.chmod(script, 0o755)
        cfg = self.write_config(
            f'return {{ ScriptTimeout = 2, Target = {{ {{ Desc = "t", Path = "{self.path("out")}/", '
            f'Split = "--split-time 1e9", Post = "{script}" }} }} }}\n')
        p = run(["run", "--config", cfg, "--log-dir", self.path("log"), "--offline", CAPTURE], check=0)
        self.assertEqual(len(os.listdir(self.path("out"))), 12, "every split is published")
        self.assertIn("scripts: 12 run, 2 failed", p.stderr)
        log = read(self.path("log", "push_t.cur"))
        self.assertIn("Post script FAILED (exit status 4)", log)
        self.assertIn("Post script FAILED (killed after its time limit of 2 s)", log)
        self.assertIn("more bytes of output not logged", log)
        self.assertLess(os.path.getsize(self.path("log", "push_t.cur")), 1_000_000, "output is capped per script")
        self.assertIn("  ok " + self.path("out"), log)

    def test_close_script_gets_the_ten_arguments(self):
        record = self.path("close.txt")
        p, out = self.split("--script-close", f"echo >> {record}")
        rows = [line.split() for line in read(record).splitlines()]
        self.assertEqual(len(rows), 12)
        for name, nbytes, packets, wall, span, start, end, first, last, closing in rows:
            self.assertTrue(os.path.exists(name), "called after the file is final")
            rc, text, _ = tcpdump_text(name)
            times = [line.split()[0] for line in text.splitlines() if not line.startswith("\t")]
            ns = [int(t.replace(".", "")) for t in times]  # tcpdump's 9-digit fractions
            self.assertEqual(int(packets), len(ns))
            self.assertEqual(int(nbytes), os.path.getsize(name) - 24)
            self.assertEqual((int(first), int(last)), (ns[0], ns[-1]))
            self.assertEqual(int(span), ns[-1] - ns[0])
            self.assertEqual(int(end) - int(start), 1_000_000_000)
            self.assertTrue(int(start) <= ns[0] and ns[-1] < int(end))
            self.assertGreaterEqual(int(closing), ns[-1])
            self.assertGreaterEqual(int(wall), 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
