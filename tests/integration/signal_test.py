"""SIGTERM and SIGINT in the middle of a run: open splits are finalised, the summary says the run
was interrupted, the exit status is 128+signal, nothing is left pending, every file is readable
by tcpdump, and what was published is exactly the first packets of the input, in order."""
import glob
import os
import signal
import subprocess
import threading
import time

from harness import PUSHCAP, TempDirTest, generate, pcap_records, pending_files, split_events


class Signals(TempDirTest):
    def start_slow_run(self, src):
        """pushcap split reading src through a pipe fed in 256 KiB pieces every 20 ms."""
        rfd, wfd = os.pipe()
        p = subprocess.Popen([PUSHCAP, "split", "--split-time", "1e9", "-o", self.path("o") + "/",
                              "--log-dir", self.path("log"), "-"], stdin=rfd, stderr=subprocess.PIPE)
        os.close(rfd)
        stop = threading.Event()

        def feed():
            try:
                with open(src, "rb") as f:
                    while not stop.is_set():
                        chunk = f.read(256 * 1024)
                        if not chunk:
                            break
                        os.write(wfd, chunk)
                        time.sleep(0.02)
                # Keep stdin open (a quiet feed) until the test is done: pushcap must not wait for EOF.
                stop.wait()
            except BrokenPipeError:
                pass
            finally:
                os.close(wfd)

        t = threading.Thread(target=feed, daemon=True)
        t.start()
        return p, stop

    def interrupt_slow_run(self, src, signals):
        """Starts a slow run, sends `signals` once it has published a split, waits; returns
        (process, stderr)."""
        p, stop = self.start_slow_run(src)
        deadline = time.monotonic() + 60
        while not [n for n in glob.glob(self.path("o", "*")) if not n.endswith(".pending")]:
            self.assertLess(time.monotonic(), deadline, "no split published within 60 s")
            self.assertIsNone(p.poll(), "the run ended before the signal")
            time.sleep(0.05)
        for sig in signals:
            p.send_signal(sig)
        try:
            _, err = p.communicate(timeout=30)
        finally:
            stop.set()
        return p, err.decode()

    def check_prefix(self, src):
        self.assertEqual(pending_files(self.tmp), [])
        names = [e["Name"] for e in split_events(self.path("log"))]
        self.assertEqual(sorted(names), sorted(glob.glob(self.path("o", "*"))))
        self.assertTrue(names, "some splits were published before the signal")
        published = [r for n in names for r in pcap_records(n)[1]]
        for n in names:
            self.assertEqual(subprocess.run(["tcpdump", "-n", "-r", n], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL).returncode, 0, n)
        source = pcap_records(src)[1]
        self.assertLess(len(published), len(source), "the run was really cut short")
        self.assertEqual(published, source[:len(published)], "published packets are the input's first ones")

    def test_sigterm_finalises_open_splits(self):
        src = self.path("in.pcap")
        generate(src, "--bytes", "60e6", "--gap-ns", "200000")
        p, err = self.interrupt_slow_run(src, [signal.SIGTERM])
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        self.assertIn("INTERRUPTED by signal 15", err)
        self.check_prefix(src)

    def test_second_signal_leaves_no_pending(self):
        src = self.path("in.pcap")
        generate(src, "--bytes", "60e6", "--gap-ns", "200000")
        p, err = self.interrupt_slow_run(src, [signal.SIGINT, signal.SIGINT])
        self.assertEqual(p.returncode, 128 + signal.SIGINT, err)
        self.assertEqual(pending_files(self.tmp), [])
        for n in glob.glob(self.path("o", "*")):
            self.assertEqual(subprocess.run(["tcpdump", "-n", "-r", n], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL).returncode, 0, n)
